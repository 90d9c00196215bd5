"""The review in other shapes: the page's context (charts), Markdown, the PDF and the CSV exports."""
