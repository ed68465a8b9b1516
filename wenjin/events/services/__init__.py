"""Every write of events: the events themselves (``events``), readers' registrations
and check-ins (``registrations``) and attendance counts (``attendance``)."""
