from django import forms


class FilterForm(forms.Form):
    """Filters read from the URL. An invalid one (an old bookmark, a typo) is shown as an
    error and left out; the valid ones still apply."""

    def valid_filters(self):
        self.is_valid()  # cleaned_data keeps the fields that passed
        return self.cleaned_data
