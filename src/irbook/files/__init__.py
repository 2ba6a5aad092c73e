"""Files the tool reads and writes: private outputs (0600, no symlinks) and bounded reads of
untrusted input. Plain standard library; every command that touches a file goes through here."""
