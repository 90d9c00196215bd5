"""The top app's services: the writes that make whole plans (tests/test_write_paths.py lets only
services write). ``importer`` makes a plan from plan-format text in one transaction with one
``plan.imported`` event; ``demo`` plays the demo launch forward through the apps' services; ``sample``
builds the large sample plan of the screenshot and the benchmark."""
