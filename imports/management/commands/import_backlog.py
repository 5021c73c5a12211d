"""Import a backlog file from the command line: the same engine as the Import page.

Prints each row error as `line N: column: message`, then one summary line. Exits 1 when a
row has errors, writing nothing, unless --skip-errors (the valid rows are imported).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from imports.formats import FileProblem, check_size
from imports.items import TAKE_FILE
from imports.models import BacklogImport
from imports.sources import FIELD_NAMES, LABELS
from roadmap.models import ExternalSource, Product

FORMATS = ["auto", *ExternalSource.values]


class Command(BaseCommand):
    help = ("Import a backlog export (Jira, Linear, GitHub, Productboard, a spreadsheet) "
            "into a product.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV, tab-separated, .xlsx or JSON file.")
        parser.add_argument("--product", required=True, help="The product's name or slug.")
        parser.add_argument("--format", choices=FORMATS, default="auto",
                            help="The tool the file comes from (default: detect it).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Show what would happen; write nothing.")
        parser.add_argument("--skip-errors", action="store_true",
                            help="Import the valid rows and skip the rows with errors.")
        parser.add_argument("--take-file-values", action="store_true",
                            help="Where an item was edited here since the last import and the "
                                 "file changed it too, take the file's value (default: keep "
                                 "the app's).")

    def handle(self, *args, path, product, format, dry_run, skip_errors, take_file_values,
               **options):
        target = Product.objects.filter(Q(name__iexact=product) | Q(slug__iexact=product)).first()
        if target is None:
            names = ", ".join(Product.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No product is called {product!r}. Products: {names}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            check_size(file.stat().st_size)
        except FileProblem as problem:
            raise CommandError(str(problem)) from problem
        backlog_import = BacklogImport.start(
            data=file.read_bytes(), file_name=file.name, product=target,
            source="" if format == "auto" else format)
        try:
            backlog_import.analyse()
        except FileProblem as problem:
            backlog_import.fail(str(problem), BacklogImport.State.READING)
            raise CommandError(str(problem)) from problem
        mapping = backlog_import.mapping
        if "title" not in mapping["columns"]:
            raise CommandError("No column can be the title (Summary, Title, Name...). Columns: "
                               + ", ".join(backlog_import.headers))
        if take_file_values:
            mapping["conflicts"] = dict.fromkeys(FIELD_NAMES, TAKE_FILE)
        mapped = ", ".join(f"{LABELS[name]} \u2190 {header}"
                           for name, header in mapping["columns"].items())
        self.stderr.write(f"{backlog_import.get_source_display()} file, into {target.name}: "
                          f"{mapped}.")
        backlog_import.preview()
        for row in backlog_import.rows.filter(action="error"):
            for column, message in row.errors:
                self.stdout.write(f"line {row.line}: {column}: {message}")
        for row in backlog_import.rows.exclude(conflicts=[]):
            for name, app, file_value, taken in row.conflicts:
                kept = f"took the file's ({file_value})" if taken else f"kept the app's ({app})"
                self.stdout.write(f"line {row.line}: {name}: changed here and in the file; {kept}")
        self.stdout.write(
            f"{backlog_import.new_count} new, {backlog_import.updated_count} updated, "
            f"{backlog_import.unchanged_count} unchanged, {backlog_import.error_count} errors")
        failed = backlog_import.error_count and not skip_errors
        if dry_run or failed:
            backlog_import.abandon()
            self.stderr.write("Dry run: nothing was written." if dry_run else
                              "Nothing was written: fix the errors, or use --skip-errors to "
                              "import the valid rows.")
            if failed:
                raise SystemExit(1)
            return
        backlog_import.skip_errors = skip_errors
        backlog_import.create_products = True
        if not (backlog_import.new_count or backlog_import.updated_count):
            backlog_import.abandon()
            self.stderr.write("Nothing to import.")
            return
        backlog_import.status = BacklogImport.State.IMPORTING
        backlog_import.save(update_fields=["status", "skip_errors", "create_products"])
        backlog_import.commit()
        self.stderr.write(f"Imported as import #{backlog_import.pk}.")
