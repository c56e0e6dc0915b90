from sources.lists import selection as selected


def selection(request):
    """The number of sources in the selection, for the header of pages rendered for one person
    (readers' shared pages show it through static/js/selection.js instead)."""
    return {"selection_count": lambda: selected.count(request.session)}
