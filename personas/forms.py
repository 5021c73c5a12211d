from django import forms

from whobenefits.forms import FilterForm, SluggedForm

from .models import Persona, SuccessMetric


class PersonaListForm(FilterForm):
    """Whether the persona list shows archived personas too."""

    archived = forms.BooleanField(required=False)


class MergePersonasForm(forms.Form):
    """Which of two personas to keep; the other's tags move to it and it is archived."""

    kept = forms.ModelChoiceField(
        queryset=Persona.objects.none(), widget=forms.RadioSelect, empty_label=None,
        label="Keep this persona",
        help_text="Every tag, request, indirect mention and evidence note of the other one moves "
                  "to it.",
    )

    def __init__(self, *args, personas, **kwargs):
        super().__init__(*args, **kwargs)
        self.personas = personas
        self.fields["kept"].queryset = personas

    def clean(self):
        cleaned = super().clean()
        kept = cleaned.get("kept")
        if kept is not None:
            merged = self.merged_persona()
            if merged.side != kept.side:
                raise forms.ValidationError(
                    "Only personas on the same side can be merged: moving tags across sides "
                    "would change the items' beneficiary class."
                )
        return cleaned

    def merged_persona(self):
        kept = self.cleaned_data["kept"]
        return next(p for p in self.personas if p.pk != kept.pk)


class PersonaForm(SluggedForm):
    """An admin's persona (the API's; the admin has its own): the model's rules apply, so a
    persona that items name keeps its side."""

    class Meta:
        model = Persona
        fields = ["name", "side", "archetype", "description", "concerns", "metrics", "order",
                  "archived"]


class SuccessMetricForm(forms.ModelForm):
    class Meta:
        model = SuccessMetric
        fields = ["name", "side", "kind", "description", "order", "archived"]
