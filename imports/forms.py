from django import forms

from roadmap.models import ExternalSource, Product

from . import readings
from .formats import DELIMITERS, ENCODINGS, MAX_BYTES, FileProblem, check_size
from .items import KEEP_APP, TAKE_FILE
from .models import ImportRow
from .sources import LABELS, VALUE_FIELDS

FROM_COLUMN = "column"
# The columns every row needs, and what the mapping page says when none is chosen.
REQUIRED = {"title": "Choose the column that holds each item's title.",
            "text": "Choose the column that holds what they said.",
            "persona": "Choose the column that names who said it (a persona).",
            **readings.REQUIRED}
AUTO = ""
NOT_IMPORTED = ""


class UploadForm(forms.Form):
    """Step 1: the product and the file."""

    product = forms.ChoiceField(
        help_text="Or take each row's product from a column of the file.",
        error_messages={"required": "Choose the product the items go to, or “From a column in "
                                    "the file”."})
    file = forms.FileField(
        label="Backlog file",
        help_text=f"CSV (comma, semicolon or tab), .xlsx, or GitHub's JSON; up to "
                  f"{MAX_BYTES // 1024 // 1024} MB and 50,000 rows.",
    )
    source = forms.ChoiceField(
        label="Exported from", required=False,
        choices=[(AUTO, "Detect it from the file"), *ExternalSource.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.products = {p.slug: p for p in Product.objects.all()}
        self.fields["product"].choices = [
            ("", "Choose a product"), *((slug, p.name) for slug, p in self.products.items()),
            (FROM_COLUMN, "From a column in the file (one product per value)"),
        ]
        self.fields["file"].widget.attrs["accept"] = ".csv,.tsv,.txt,.xlsx,.json,text/csv"

    def clean_product(self):
        slug = self.cleaned_data["product"]
        return None if slug == FROM_COLUMN else self.products[slug]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileProblem as problem:
            raise forms.ValidationError(str(problem)) from problem
        return upload

    def clean(self):
        data = super().clean()
        # A refused form comes back without the file (no browser keeps a chosen file), so
        # say so beside it, or the next try fails again for want of it.
        if self.errors and data.get("file"):
            self.add_error("file", f"Choose “{data['file'].name}” again: the browser lets go "
                                   "of a chosen file when the form comes back.")
        return data


class NotesUploadForm(forms.Form):
    """Step 1 of a notes import: the file (the notes name their items by key)."""

    file = forms.FileField(
        label="Evidence file",
        help_text=f"CSV (comma, semicolon or tab) or .xlsx, one note a row; up to "
                  f"{MAX_BYTES // 1024 // 1024} MB and 50,000 rows.",
    )
    clean_file = UploadForm.clean_file

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.tsv,.txt,.xlsx,text/csv"


class ReadingsUploadForm(NotesUploadForm):
    """Step 1 of a readings import: a table of success metrics' values by product and month."""

    file = forms.FileField(
        label="Metrics file",
        help_text=f"CSV (comma, semicolon or tab) or .xlsx, one reading a row; up to "
                  f"{MAX_BYTES // 1024 // 1024} MB and 50,000 rows.",
    )


class ReadAsForm(forms.Form):
    """How to read the file, when the detected source, encoding or delimiter is wrong."""

    source = forms.ChoiceField(label="Exported from", choices=ExternalSource.choices)
    encoding = forms.ChoiceField(choices=[(AUTO, "Detect it"), *ENCODINGS.items()],
                                 required=False)
    delimiter = forms.ChoiceField(
        choices=[(AUTO, "Detect it"), *((d, n.capitalize()) for d, n in DELIMITERS.items())],
        required=False)

    def __init__(self, *args, backlog_import, **kwargs):
        initial = {"source": backlog_import.source,
                   "encoding": backlog_import.encoding.removesuffix("-sig"),
                   "delimiter": backlog_import.delimiter}
        super().__init__(*args, initial=initial, label_suffix="", **kwargs)
        if backlog_import.rows_module:
            del self.fields["source"]  # a notes or readings file is any table
        if initial["encoding"] and initial["encoding"] not in ENCODINGS:
            self.fields["encoding"].choices += [(initial["encoding"], initial["encoding"])]


class MappingForm(forms.Form):
    """Step 2: which column fills which item field, and what each status (and horizon)
    value of the file becomes. Built from the file's columns and their values."""

    unknown_owner = forms.ChoiceField(
        label="An owner who is not a product manager or admin here",
        choices=[("error", "is an error on that row"),
                 ("unassigned", "leaves the item unassigned")],
        widget=forms.RadioSelect,
    )

    def __init__(self, data=None, *, backlog_import):
        self.backlog_import = backlog_import
        mapping = backlog_import.mapping
        self.profile = {column["name"]: column for column in backlog_import.profile}
        initial = {f"column_{name}": header for name, header in mapping["columns"].items()}
        initial["product_column"] = mapping.get("product_column", "")
        initial["unknown_owner"] = mapping.get("unknown_owner", "error")
        super().__init__(data, initial=initial, label_suffix="")
        header_choices = [(NOT_IMPORTED, "— not imported —")] + [
            (column["name"], _describe(column)) for column in backlog_import.profile]
        self.item_fields = backlog_import.fields
        for field in self.item_fields:
            self.fields[f"column_{field.name}"] = forms.ChoiceField(
                label=field.label, help_text=field.help, choices=header_choices,
                required=field.name in REQUIRED)
            if field.name in REQUIRED:
                self.fields[f"column_{field.name}"].error_messages["required"] = REQUIRED[
                    field.name]
        self.value_fields = {}
        if backlog_import.rows_module:
            del self.fields["unknown_owner"]
            return
        if backlog_import.product is None:
            self.fields["product_column"] = forms.ChoiceField(
                label="Product", choices=header_choices[1:],
                help_text="Each row's product; products that do not exist yet are created "
                          "(you confirm them in the preview).")
        for name, choices in VALUE_FIELDS.items():
            header = self._chosen(f"column_{name}")
            values = (self.profile.get(header) or {}).get("values") if header else None
            known = mapping.get("values", {}).get(name, {})
            self.value_fields[name] = []
            for n, (value, count) in enumerate(sorted((values or {}).items())):
                key = f"value_{name}_{n}"
                standard = known.get(value) or backlog_import.layout.standard_value(name, value)
                self.fields[key] = forms.ChoiceField(
                    label=value, help_text=f"{count} row{'s' if count != 1 else ''}",
                    choices=[("", "Choose…"), *choices.choices],
                    error_messages={"required": f"Choose what \u201c{value}\u201d becomes."})
                self.initial.setdefault(key, standard or "")
                self.value_fields[name].append((self[key], value, not standard))

    def _chosen(self, name):
        if self.is_bound:
            return self.data.get(name, "")
        return self.initial.get(name, "")

    def value_groups(self):
        """(label, [(bound field, value, unknown)]) per value field whose column is mapped."""
        return [(LABELS[name], rows) for name, rows in self.value_fields.items() if rows]

    def column_fields(self):
        return [self[f"column_{field.name}"] for field in self.item_fields]

    def clean(self):
        data = super().clean()
        used = {}
        for field in self.item_fields:
            header = data.get(f"column_{field.name}")
            if not header:
                continue
            if header in used and {field.name, used[header]} != {"external_key", "external_url"}:
                self.add_error(f"column_{field.name}",
                               f"\u201c{header}\u201d already fills {LABELS[used[header]]}.")
            used.setdefault(header, field.name)
        for name in self.value_fields:
            header = data.get(f"column_{name}")
            if header and self.profile.get(header, {}).get("values") is None:
                self.add_error(f"column_{name}", f"\u201c{header}\u201d has too many different "
                                                 "values to map one by one: choose another.")
        return data

    def mapping(self):
        """The mapping JSON the import keeps (and remembers for the next one)."""
        data = self.cleaned_data
        columns = {field.name: data[f"column_{field.name}"] for field in self.item_fields
                   if data.get(f"column_{field.name}")}
        if self.backlog_import.rows_module:
            return {**self.backlog_import.mapping, "columns": columns}
        values = {name: {value: data[field.name] for field, value, _ in rows}
                  for name, rows in self.value_fields.items()}
        return {
            **self.backlog_import.mapping,
            "columns": columns,
            "values": values,
            "unknown_owner": data["unknown_owner"],
            "product_column": data.get("product_column", ""),
        }


def _describe(column):
    samples = ", ".join(column["samples"])
    return f"{column['name']} (e.g. {samples})"[:90] if samples else f"{column['name']} (empty)"


class ConflictsForm(forms.Form):
    """Per field, whose value wins where the app and the file both changed it."""

    everything = forms.ChoiceField(
        label="For every conflict", required=False, widget=forms.RadioSelect,
        choices=[("", "Choose per field below"), (KEEP_APP, "Keep the app's values"),
                 (TAKE_FILE, "Take the file's values")])

    def __init__(self, data=None, *, backlog_import):
        self.backlog_import = backlog_import
        labels = {label: name for name, label in LABELS.items()}
        conflicting = ImportRow.objects.filter(backlog_import=backlog_import).exclude(
            conflicts=[]).values_list("conflicts", flat=True)
        names = sorted({labels[c[0]] for row in conflicting for c in row},
                       key=list(LABELS).index)
        decided = backlog_import.mapping.get("conflicts", {})
        super().__init__(data, initial={f"field_{n}": decided.get(n, KEEP_APP) for n in names},
                         label_suffix="")
        for name in names:
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=LABELS[name], widget=forms.RadioSelect,
                choices=[(KEEP_APP, "Keep the app's"), (TAKE_FILE, "Take the file's")])

    def decisions(self):
        data = self.cleaned_data
        return {name.removeprefix("field_"): data["everything"] or data[name]
                for name in self.fields if name.startswith("field_")}


class ConfirmForm(forms.Form):
    """Step 4: the go, with the choices the preview asks for."""

    skip_errors = forms.BooleanField(required=False)
    create_products = forms.BooleanField(required=False)

    def __init__(self, *args, backlog_import, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        valid = backlog_import.new_count + backlog_import.updated_count
        errors = backlog_import.error_count
        self.fields["skip_errors"].label = (
            f"Import the {valid} valid row{'s' if valid != 1 else ''} and skip the {errors} "
            f"with errors")
        names = ", ".join(backlog_import.new_products)
        self.fields["create_products"].label = f"Create the products {names}"
        if not errors:
            del self.fields["skip_errors"]
        if not backlog_import.new_products:
            del self.fields["create_products"]


class RowFilterForm(forms.Form):
    """Which rows of the preview to show."""

    show = forms.ChoiceField(required=False, choices=[
        ("", "All rows"), *ImportRow.Action.choices, ("conflict", "Conflicts")])

