from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "canhgac.remediation"
    label = "remediation"
    verbose_name = _("Remediation")

    def ready(self) -> None:
        from canhgac.exposure.signals import findings_reconciled
        from canhgac.remediation.receivers import after_matching

        findings_reconciled.connect(after_matching, dispatch_uid="remediation.after_matching")
