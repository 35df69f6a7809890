"""The function's configuration: one frozen object built from the table of variables
(`table.py`) and, in the multi form, `FLEET_SYNC_CONFIG`. No other module reads
`os.environ`; `main.py` and the CLI call `Settings.from_env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from fleetsync.config.outputs import Tenancy
from fleetsync.config.table import (
    ARGOCD_MEMBERSHIP,
    ARGOCD_NAMESPACE,
    ARGOCD_PROJECT,
    CONNECT_GATEWAY_ENDPOINT,
    DEFAULT_GKEHUB_ENDPOINT,
    DRY_RUN,
    FLEET_PROJECT_NUMBER,
    FLEET_SYNC_CA_FILE,
    FLEET_SYNC_CONFIG,
    FLEET_SYNC_STATIC_TOKEN,
    GATEWAY_MAX_WRITES_PER_MINUTE,
    GKEHUB_ENDPOINT,
    MAX_DELETE_FRACTION,
    MEMBERSHIP_SELECTOR,
    NO_MEMBERSHIP,
    REQUEST_TIMEOUT_SECONDS,
    RESYNC_DEADLINE_SECONDS,
    SINGLE_FORM,
    SYNC_CONCURRENCY,
)
from fleetsync.config.targets import SyncConfig, Target
from fleetsync.core.errors import Backoff, PermanentError
from fleetsync.core.labels import Selector
from fleetsync.core.model import MembershipRef


@dataclass(frozen=True)
class Settings:
    fleet_project_number: str
    argocd_membership: MembershipRef
    argocd_namespace: str = ARGOCD_NAMESPACE.default
    argocd_project: str = ""
    membership_selector: Selector = field(default_factory=Selector)
    gkehub_endpoint: str = DEFAULT_GKEHUB_ENDPOINT
    connect_gateway_endpoint: str = ""
    static_token: str = ""
    ca_file: str = ""  # the CA bundle both endpoints are verified against ("": the system's)
    max_delete_fraction: float = MAX_DELETE_FRACTION.default
    concurrency: int = SYNC_CONCURRENCY.default
    dry_run: bool = False
    request_timeout_s: float = REQUEST_TIMEOUT_SECONDS.default
    gateway_max_writes_per_minute: int = GATEWAY_MAX_WRITES_PER_MINUTE.default
    resync_deadline_s: float = RESYNC_DEADLINE_SECONDS.default
    # Every fleet and target (the single form makes one of each); the fields above are one
    # (target, fleet) lane's view, which `lane` gives.
    fleets: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    target_name: str = ""  # the lane's target ("" for the single form: no target label)
    previous_names: tuple[str, ...] = ()  # the target's names before a rename
    argocd_project_number: str = ""  # the Argo CD cluster's fleet ("": this fleet)
    tenancy: Tenancy = field(default_factory=Tenancy)
    # How every adapter retries in place before answering 503 (not an environment variable:
    # Eventarc's and Cloud Scheduler's own retries carry on from there).
    backoff: Backoff = field(default_factory=Backoff)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Raise PermanentError naming every missing or invalid variable."""
        errors: list[str] = []
        config = FLEET_SYNC_CONFIG.read(env, errors)
        both = [v.name for v in SINGLE_FORM if env.get(v.name, "").strip()]
        if FLEET_SYNC_CONFIG.name in env and both:
            errors.append(f"{FLEET_SYNC_CONFIG.name}: replaces {', '.join(both)}; set one form")
        single = not env.get(FLEET_SYNC_CONFIG.name, "").strip()
        settings = cls(
            fleet_project_number=FLEET_PROJECT_NUMBER.read(env, errors) if single else "",
            argocd_membership=ARGOCD_MEMBERSHIP.read(env, errors) if single else NO_MEMBERSHIP,
            argocd_namespace=ARGOCD_NAMESPACE.read(env, errors),
            argocd_project=ARGOCD_PROJECT.read(env, errors),
            membership_selector=MEMBERSHIP_SELECTOR.read(env, errors),
            gkehub_endpoint=GKEHUB_ENDPOINT.read(env, errors),
            connect_gateway_endpoint=CONNECT_GATEWAY_ENDPOINT.read(env, errors),
            static_token=FLEET_SYNC_STATIC_TOKEN.read(env, errors),
            ca_file=FLEET_SYNC_CA_FILE.read(env, errors),
            max_delete_fraction=MAX_DELETE_FRACTION.read(env, errors),
            concurrency=SYNC_CONCURRENCY.read(env, errors),
            dry_run=DRY_RUN.read(env, errors),
            request_timeout_s=REQUEST_TIMEOUT_SECONDS.read(env, errors),
            gateway_max_writes_per_minute=GATEWAY_MAX_WRITES_PER_MINUTE.read(env, errors),
            resync_deadline_s=RESYNC_DEADLINE_SECONDS.read(env, errors),
        )
        overridden = GKEHUB_ENDPOINT.name in env and CONNECT_GATEWAY_ENDPOINT.name in env
        if settings.static_token and not overridden:
            # A fixed token is for the sandbox only; never send it to a Google endpoint.
            errors.append(
                f"{FLEET_SYNC_STATIC_TOKEN.name}: only allowed together with "
                f"{GKEHUB_ENDPOINT.name} and {CONNECT_GATEWAY_ENDPOINT.name}"
            )
        if errors:
            raise PermanentError("invalid configuration: " + "; ".join(errors))
        return settings.configured(config)

    def configured(self, config: SyncConfig | None = None) -> Settings:
        """These settings with their fleets and targets: the document's, or else the one
        fleet and one unnamed target of the single form; the first lane's view above."""
        if config is None:
            config = SyncConfig(
                (self.fleet_project_number,),
                (
                    Target(
                        "",
                        self.fleet_project_number,
                        self.argocd_membership,
                        self.argocd_namespace,
                        self.membership_selector,
                        self.argocd_project,
                    ),
                ),
            )
        configured = replace(self, fleets=config.fleets, targets=config.targets)
        return configured.lane(config.targets[0], config.fleets[0])

    @property
    def scope_project_prefix(self) -> str | None:
        """Tenancy's `cluster_project`: the prefix of the AppProject a cluster bound to one
        scope gets in its Secret; None when off."""
        tenancy = self.tenancy
        return tenancy.prefix if tenancy.enabled and tenancy.cluster_project else None

    @property
    def owners(self) -> tuple[str, ...]:
        """The lane's target labels: its target's name and the names before a rename."""
        return (self.target_name, *self.previous_names)

    @property
    def multi(self) -> bool:
        """Configured by FLEET_SYNC_CONFIG (targets have names), not the single form."""
        return any(target.name for target in self.targets)

    def lane(self, target: Target, fleet: str) -> Settings:
        """The view of one target and one fleet, which one Reconciler serves."""
        return replace(
            self,
            fleet_project_number=fleet,
            argocd_membership=target.argocd_membership,
            argocd_project_number=target.argocd_project_number,
            argocd_namespace=target.namespace,
            argocd_project=target.project,
            membership_selector=target.selector,
            target_name=target.name,
            previous_names=target.previous_names,
            tenancy=target.tenancy,
        )
