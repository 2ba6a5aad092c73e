"""Did anything call home: IOC lists (typed, files, OSV records) and a streaming log scan."""
