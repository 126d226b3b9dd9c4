"""The roster of an activity: who is enrolled, the mixed groups they work in, and who came.

`models` holds the tables; `enrolment` the enrolment page's search and migrant / local balance
(enrolling itself is `activities.participants.service`); `groups` mixed-group formation with
`activities.grouping`; `attendance` the per-session sheet; `facts` the two read-only figures other
packages use (`mixing_tool_used` for the design rubric, `doses` for the analysis).
"""

# Registers the roster's section of a participant's personal data export.
from activities.roster import personal_data as _personal_data  # noqa: E402, F401
