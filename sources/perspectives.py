"""The perspectives members bring, and how the library describes a group of them.

The first theme is about bringing every perspective together, so a source shows whose views
stand behind it ("5 clinicians, 3 patient or carer partners"), not only how many.
"""

from django.db import models


class Perspective(models.TextChoices):
    PATIENT = "patient", "Patient or carer partner"
    CLINICIAN = "clinician", "Clinician"
    NURSE_AHP = "nurse_ahp", "Nurse or allied health professional"
    MANAGER = "manager", "Manager or leader"
    IMPROVEMENT = "improvement", "Improvement specialist"
    RESEARCHER = "researcher", "Researcher"
    POLICY = "policy", "Commissioner or policy"
    OTHER = "other", "Other"


# (one, many) for each perspective; "" is a member who has not said.
GROUP_NAMES = {
    Perspective.PATIENT: ("patient or carer partner", "patient or carer partners"),
    Perspective.CLINICIAN: ("clinician", "clinicians"),
    Perspective.NURSE_AHP: (
        "nurse or allied health professional",
        "nurses or allied health professionals",
    ),
    Perspective.MANAGER: ("manager or leader", "managers or leaders"),
    Perspective.IMPROVEMENT: ("improvement specialist", "improvement specialists"),
    Perspective.RESEARCHER: ("researcher", "researchers"),
    Perspective.POLICY: ("commissioner or policy maker", "commissioners or policy makers"),
    Perspective.OTHER: ("other perspective", "other perspectives"),
    "": ("perspective not given", "perspectives not given"),
}


def describe_breakdown(counts):
    """Turn {perspective: n} into "5 clinicians, 1 researcher", largest group first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], list(GROUP_NAMES).index(item[0])))
    parts = []
    for perspective, number in ordered:
        one, many = GROUP_NAMES.get(perspective, GROUP_NAMES[""])
        parts.append(f"{number} {one if number == 1 else many}")
    return ", ".join(parts)
