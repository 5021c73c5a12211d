from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        # What evidence adds to the lower apps, which never import it: the roadmap's pages
        # (extension.py), and persona merges and side changes (the notes name personas).
        from audit import trail
        from personas import models as personas
        from roadmap import extensions

        from .extension import EvidenceExtension
        from .models import move_persona_evidence, persona_has_evidence

        extensions.register(EvidenceExtension())
        trail.register("company", "evidence.Company", "Company")
        trail.register("evidence", "evidence.Evidence", "Evidence note",
                       object_label=lambda record: f"Note “{record.text[:60]}”")
        if move_persona_evidence not in personas.MERGE_MOVES:
            personas.MERGE_MOVES.append(move_persona_evidence)
            personas.IN_USE_CHECKS.append(persona_has_evidence)
