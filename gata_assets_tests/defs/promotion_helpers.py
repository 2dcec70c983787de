"""The prod promotion world tests drive: a registry (SQL unless a test hands in another), a
file deployer, a real Dagster instance, and the promotion sensor whose run requests are
executed as the daemon would."""

from __future__ import annotations

import dagster as dg

from gata_assets.core.verdicts import BLOCKING_CHECKS
from gata_assets.defs.automation.jobs import promote_prod_job
from gata_assets.defs.automation.promotion import prod_endpoint
from gata_assets.defs.automation.promotion_sensor import RUN_KEY_TAG
from gata_assets.defs.automation.sensors import build_sensors
from gata_assets.resources.artifact_store import LocalArtifactStore
from gata_assets.resources.refs_io_manager import latest_ref
from gata_assets.resources.registry import ModelRegistry, SqlModelRegistry
from gata_assets_tests.defs.deployer_helpers import FileDeployer

SENSOR = next(
    s for s in build_sensors(dg.DefaultSensorStatus.STOPPED) if s.name == "prod_promotion_sensor"
)
PROD = dg.AssetKey("prod_endpoint")


class World:
    def __init__(self, tmp_path, registry: ModelRegistry | None = None):
        from gata_assets.defs.common import REFS_IO_MANAGER
        from gata_assets.resources.refs_io_manager import ArtifactRefIOManager

        self.store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
        self.registry = registry or SqlModelRegistry(url=f"sqlite:///{tmp_path / 'gata.db'}")
        self.deployer = FileDeployer(path=str(tmp_path / "deployed.json"))
        self.instance = dg.DagsterInstance.ephemeral()
        self.cursor: str | None = None
        resources = {
            "registry": self.registry,
            "artifact_store": self.store,
            "deployer": self.deployer,
            "prod_deployer": self.deployer,
            REFS_IO_MANAGER: ArtifactRefIOManager(store=self.store),
        }
        self.resources = resources
        defs = dg.Definitions(assets=[prod_endpoint], jobs=[promote_prod_job], resources=resources)
        self.job = defs.resolve_job_def("promote_prod")

    def add(self, version: str, group: str) -> None:
        self.registry.register(
            version=version,
            group=group,
            metrics={"macro_f1": 0.9},
            data_sha256=f"hash-{version}",
            code_version="c",
            base_model="b",
            artifact_uri=f"file:///m/{version}",
            batch_id=f"batch-{version}",
        )
        for check in BLOCKING_CHECKS:
            self.registry.record_check(version, check, True, "passed")

    def tick(self):
        """One sensor evaluation; its run request is executed as the daemon would launch it."""
        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources=self.resources
        ) as context:
            result = SENSOR(context)
        if isinstance(result, dg.SkipReason) or not result.run_requests:
            return result, None
        self.cursor = result.cursor
        (request,) = result.run_requests
        known = self.instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: request.run_key}))
        assert not known, f"run key {request.run_key} was used before: Dagster would skip it"
        run = self.job.execute_in_process(
            run_config=request.run_config,
            instance=self.instance,
            tags={**request.tags, RUN_KEY_TAG: request.run_key},
            raise_on_error=False,
        )
        return result, run

    def prod(self) -> dict[str, str]:
        ref = latest_ref(self.store, PROD)
        return ref.model_versions if ref else {}
