"""The EOS quota-service simulator of the test bed."""
