"""Pre/post attitude surveys: the instrument bank, surveys and waves, links, responses, analysis.

Importing the package registers its data-export and erasure hooks with the participants package
(`surveys.rights`), so a participant's survey answers are exported and erased with them.
"""

from surveys import rights as _rights

_rights.register()
