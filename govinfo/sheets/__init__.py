"""Spreadsheets in and out: the collection workbook an agency fills in, reading it back into a
parameter file, and the county's export of every agency's numbers (xlsx, CSV, Parquet)."""
