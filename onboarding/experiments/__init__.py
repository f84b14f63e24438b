"""Activation experiments (issue 22): new partners of a program scope are assigned at approval,
at random and stratified by partner type and region, to one of two or more checklist versions
built in the checklist builder; the results page compares how many activate within N days.

Modules: ``models`` (the experiment, its variants, the per-stratum block state, the assignment),
``design`` (the sample size), ``assignment`` (at approval), ``analysis`` (the statistics, pure
functions over plain records), ``services`` (create, start, stop and roll out), ``selectors``,
``forms``, ``views``. Onboarding owns it because it hands out checklists and their versions; the
import contracts keep features apart, so an app of its own could not give a partner a checklist.
"""
