"""Programs and their silent groups: who a benefit is for, and who has not taken it up."""

from queries.programs.catalogue import Program, load_programs
from queries.programs.silent import (SilentGroup, booking_dates, refresh_silent_groups,
                                     silent_group, silent_group_members, silent_group_summary)

__all__ = ["Program", "SilentGroup", "booking_dates", "load_programs", "refresh_silent_groups",
           "silent_group", "silent_group_members", "silent_group_summary"]
