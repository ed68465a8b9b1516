"""What demo data a database holds, so later starts can rebuild the manifest."""

from django.db import models


class DemoDataset(models.Model):
    """The seed and scale ``wenjin demo-data`` built this database with.

    Staff passwords are stored only as hashes; the manifest recomputes them from the seed.
    """

    seed = models.IntegerField()
    scale = models.CharField(max_length=16)
    built_on = models.DateField()
    built_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo data seed={self.seed} scale={self.scale} built {self.built_on}"
