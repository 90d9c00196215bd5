"""The top app: the plan file format, the demo, the sample plan and the cross-app pages."""
