from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("Prefecture")
    COUNTY = 3, _("County / district")
    TOWN = 4, _("Town / street")


# Placeholder prefecture names under the municipalities: they group districts but
# are never written by people ("天津市西青区", not "天津市市辖区西青区").
PLACEHOLDER_NAMES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


class Region(models.Model):
    """An administrative division (GB/T 2260 and the statistics bureau's town codes).

    Codes nest by prefix (12 ⊃ 1201 ⊃ 120111 ⊃ 120111105), so containment is a prefix test.
    """

    code = models.CharField(pgettext_lazy("division", "code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def is_placeholder(self):
        return self.level == Level.CITY and self.name in PLACEHOLDER_NAMES

    def contains(self, other):
        return other.code.startswith(self.code)

    def lineage(self):
        """Regions from the province down to this one, placeholders left out (one query at most)."""
        codes = [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]
        ancestors = {r.code: r for r in Region.objects.filter(code__in=codes)}
        chain = [ancestors[c] for c in codes if c in ancestors] + [self]
        return [r for r in chain if not r.is_placeholder]

    @property
    def full_name(self):
        return "".join(r.name for r in self.lineage())
