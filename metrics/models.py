from django.db import models
from django.utils.translation import gettext_lazy

# --- Rollups -------------------------------------------------------------------------------------
# Summary tables maintained by metrics.rollups from the Event table, never written by anything else.
# Each is keyed by (partner, day, …) and recomputed bucket by bucket from raw events, so running a
# rollup twice, or a backfill over the same days, gives the same rows. See docs/metrics.md.


class RollupState(models.Model):
    """Where the incremental rollup stands: one row per rollup, locked by the run that owns it.

    ``watermark`` is the highest event id folded in; it is only ever set to an id below which no
    transaction can still commit (see ``events.cursor.safe_upper_bound``), and it is advanced
    in the same transaction as the summary rows it covers.
    """

    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.BigIntegerField(default=0)
    scores_through = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The last day whose adoption scores were computed."),
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_events = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Events folded in by the last run.")
    )
    last_buckets = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Partner-days it recomputed.")
    )
    last_duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name} @ {self.watermark}"


class PartnerDayKind(models.Model):
    """Events of one kind for one partner on one UTC day. (Distinct users are counted per day in
    ``PartnerDay``/``PartnerDayUser``; no metric needs them per kind.)"""

    pk = models.CompositePrimaryKey("partner", "day", "kind")
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, day, …) primary key indexes it
        db_constraint=False,  # see the note above: a rollup writes millions of rows
    )
    day = models.DateField()
    kind = models.CharField(max_length=64)
    events = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.partner_id} {self.day} {self.kind}: {self.events}"


class PartnerDay(models.Model):
    """One partner's activity on one UTC day: all events, distinct active users (its own people,
    as in ``PartnerDayUser``), and which feature areas it used (``area_mask``: bit i set for the
    i-th ``FeatureArea``, ``AREA_BITS``; the same encoding as ``AdoptionScore.area_mask``).

    The areas are a mask on the day row rather than a table of their own: every metric asks only
    *whether* an area was used in a window (the adoption score's breadth, feature adoption), the
    OR of the day masks answers that, and a table per (partner, day, area) cost an upserted row
    per area per bucket on every rollup run (docs/metrics.md)."""

    pk = models.CompositePrimaryKey("partner", "day")
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, day, …) primary key indexes it
        db_constraint=False,  # see the note above: a rollup writes millions of rows
    )
    day = models.DateField()
    events = models.PositiveIntegerField()
    users = models.PositiveIntegerField()
    area_mask = models.PositiveSmallIntegerField(
        default=0,
        help_text=gettext_lazy(
            "Feature areas used that day: bit i set for the i-th area of FeatureArea "
            "(metrics.models.AREA_BITS)."
        ),
    )

    class Meta:
        # Program-wide questions ("who was active in the last 30 days") read by day first.
        indexes = [models.Index(fields=["day", "partner"], name="pd_day_partner_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.day}: {self.events}"


class PartnerDayUser(models.Model):
    """Which users of a partner were active on a day, so distinct users over any window are exact
    (distinct counts cannot be added across days). Only the partner's own people (a
    ``PartnerMembership`` of that partner when the rollup ran): vendor staff and other partners'
    users acting on its records count in its events, never as its users.

    A set, with no per-user event count: no metric needs one, and without it an incremental run
    only *inserts* the users not yet seen in a bucket (``ON CONFLICT DO NOTHING``, which also
    returns exactly the first-seen users that ``PartnerDay.users`` grows by) instead of
    rewriting the row of every user active again."""

    pk = models.CompositePrimaryKey("partner", "day", "user_id")
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, day, …) primary key indexes it
        db_constraint=False,  # see the note above: a rollup writes millions of rows
    )
    day = models.DateField()
    user_id = models.BigIntegerField()

    class Meta:
        # A user's active days in order (the score refresh's "previous / next active day of this
        # user" around a bucket: one index probe instead of reading the partner's window).
        indexes = [
            models.Index(fields=["partner", "user_id", "day"], name="pdu_partner_user_day_idx")
        ]

    def __str__(self):
        return f"{self.partner_id} {self.day} user {self.user_id}"


class FeatureArea(models.TextChoices):
    """The feature areas of the adoption score; docs/metrics.md says which kinds fall in each."""

    PORTAL = "portal", gettext_lazy("Portal")
    TRAINING = "training", gettext_lazy("Training")
    RESOURCES = "resources", gettext_lazy("Resources")
    DEALS = "deals", gettext_lazy("Deal registration")
    MARKETING = "marketing", gettext_lazy("Marketing assets")


# PartnerDay.area_mask and AdoptionScore.area_mask: bit i is the i-th feature area, in
# FeatureArea's order (portal 1, training 2, resources 4, deals 8, marketing 16).
AREA_BITS = {area.value: 1 << i for i, area in enumerate(FeatureArea)}


class PartnerDayOffering(models.Model):
    """Events about one offering (its slug in ``properties.offerings`` or ``properties.offering``)
    by one partner on a day, per kind: the raw material of offering adoption."""

    pk = models.CompositePrimaryKey("partner", "day", "offering", "kind")
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, day, …) primary key indexes it
        db_constraint=False,  # see the note above: a rollup writes millions of rows
    )
    day = models.DateField()
    offering = models.CharField(max_length=60, help_text=gettext_lazy("The offering's slug."))
    kind = models.CharField(max_length=64)
    events = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["offering", "day"], name="pdo_offering_day_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.day} {self.offering} {self.kind}: {self.events}"


class AdoptionScore(models.Model):
    """A partner's adoption score on a day, over the 30 days ending that day, with its parts.

    A row exists when the partner had at least one event in that window; no row means 0.
    ``seats`` is the partner's active users when the row was computed.
    """

    # Keyed by (partner, day), no surrogate id: each score the refresh rewrites maintains two
    # indexes instead of three (its updates change indexed columns, so none is HOT).
    pk = models.CompositePrimaryKey("partner", "day")
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, day, …) primary key indexes it
        db_constraint=False,  # see the note above: a rollup writes millions of rows
    )
    day = models.DateField()
    score = models.FloatField()
    areas = models.PositiveSmallIntegerField(help_text=gettext_lazy("Feature areas used (of 5)."))
    area_mask = models.PositiveSmallIntegerField(
        default=0,
        help_text=gettext_lazy(
            "Which feature areas were used: bit i set for the i-th area of FeatureArea "
            "(metrics.scores.AREA_BITS), so feature adoption reads one row per partner."
        ),
    )
    active_days = models.PositiveSmallIntegerField()
    active_users = models.PositiveIntegerField()
    seats = models.PositiveIntegerField()
    events = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Dashboard reads are "every partner's row on a day" (distribution, ranking, at-risk
            # windows, feature adoption): covering them makes those index-only scans instead of
            # one heap page per partner (at-risk on 10k partners: 300 ms -> 50 ms, loaded box).
            models.Index(
                fields=["day", "score", "partner", "events", "area_mask"],
                name="adoption_day_cover_idx",
            )
        ]

    def __str__(self):
        return f"{self.partner_id} {self.day}: {self.score}"


class OfferingAdoptionRule(models.Model):
    """One way a partner can count as having adopted an offering, e.g. "a deal registered or won
    with it in the last 90 days". A partner has adopted the offering when it meets ANY rule.
    Offerings without rules use the defaults in
    ``metrics.adoption_rules.DEFAULT_OFFERING_RULES``."""

    offering = models.ForeignKey(
        "partners.Offering", on_delete=models.CASCADE, related_name="adoption_rules"
    )
    description = models.CharField(max_length=200)
    kinds = models.JSONField(
        help_text=gettext_lazy('Event kinds that count, e.g. ["deal.submitted", "deal.won"].')
    )
    window_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=gettext_lazy("Look back this many days; empty means ever.")
    )
    min_events = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["offering", "id"]

    def __str__(self):
        return f"{self.offering}: {self.description}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            not isinstance(self.kinds, list)
            or not self.kinds
            or not all(isinstance(k, str) and k for k in self.kinds)
        ):
            errors["kinds"] = "Give a non-empty list of event kinds."
        if self.min_events is not None and self.min_events < 1:
            errors["min_events"] = "At least one event is needed."
        if errors:
            raise ValidationError(errors)


class ScoreDirty(models.Model):
    """Buckets the rollup recomputed whose adoption scores are not recomputed yet (a queue that
    ``metrics.scores.scores_refresh`` drains). ``seq`` is the rollup run's watermark."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    seq = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "day"], name="score_dirty_unique_bucket")
        ]

    def __str__(self):
        return f"{self.partner_id} {self.day}"


class ScoreDelta(models.Model):
    """What an incremental rollup run added to a bucket, queued for the adoption scores in the
    run's transaction (exactly once) and drained by ``metrics.scores.scores_refresh``, which adds
    it to the stored scores of the days whose window holds the bucket instead of re-reading
    those windows. Append-only (a run inserts, the refresh deletes the rows it applied).

    Two kinds of rows: ``user_id`` NULL, the bucket's delta (events added, the new events' area
    mask, whether the run created the bucket); ``user_id`` set, a user first seen in the bucket
    by that run (a ``PartnerDayUser`` row it inserted)."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    user_id = models.BigIntegerField(null=True)
    events = models.PositiveIntegerField(default=0)
    area_mask = models.PositiveSmallIntegerField(default=0)
    new_day = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.partner_id} {self.day} +{self.events}"


# --- Dashboard summaries (metrics.summaries; maintained by metrics.scores.scores_refresh) ---------
class OfferingAdoptionSpan(models.Model):
    """A run of days on which one partner met at least one adoption rule of one offering
    (``metrics.definitions.offerings``): adopted on every day in [start, end], ``end`` =
    9999-12-31 while still met. Spans of one (offering, partner) never overlap or touch, so
    "adopters on day D" is a count of the spans containing D. Computed from
    ``PartnerDayOffering`` only, per partner, by ``metrics.summaries``."""

    pk = models.CompositePrimaryKey("offering", "partner", "start")
    offering = models.CharField(max_length=60, help_text=gettext_lazy("The offering's slug."))
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (offering, partner, start) primary key covers what we read
        db_constraint=False,  # written by the rollup task, like the bucket tables
    )
    start = models.DateField()
    end = models.DateField()

    def __str__(self):
        return f"{self.offering} {self.partner_id}: {self.start}..{self.end}"


class OfferingSpanRules(models.Model):
    """The adoption rules an offering's spans were computed with (a fingerprint). A reader whose
    offering's current rules differ (edited rules, a new offering) does not trust the spans and
    computes from ``PartnerDayOffering``; the next refresh rebuilds that offering's spans."""

    offering = models.CharField(max_length=60, primary_key=True)
    fingerprint = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.offering}: {self.fingerprint[:12]}"


class PartnerWeek(models.Model):
    """One partner's activity in one ISO week (``week`` is the Monday): distinct active users
    (the partner's own people, as in ``PartnerDayUser``) and active days (``PartnerDay`` rows).
    A row exists only for weeks with at least one active day. Since a user belongs to one
    partner, summing ``users`` over partners is the program's distinct weekly users. Computed
    from ``PartnerDay``/``PartnerDayUser`` per touched (partner, week) by ``metrics.summaries``."""

    pk = models.CompositePrimaryKey("week", "partner")
    week = models.DateField()
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (week, partner) primary key covers what we read
        db_constraint=False,  # written by the rollup task, like the bucket tables
    )
    users = models.PositiveIntegerField()
    active_days = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.partner_id} week of {self.week}: {self.users} users"


# --- At risk, stored per scores day (metrics.at_risk_store; refreshed after the rollup) ----------
class AtRiskDay(models.Model):
    """A scores day whose at-risk set (``AtRiskPartner``) was computed, and when. Recomputable:
    the after-rollup step rebuilds it when the rollup or the scores changed anything or it is
    older than ``metrics.at_risk_store.MAX_AGE``; a reader finding no row computes it."""

    day = models.DateField(primary_key=True)
    computed_at = models.DateTimeField()
    partners = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("How many partners are at risk.")
    )

    def __str__(self):
        return f"{self.day}: {self.partners} at risk ({self.computed_at:%H:%M})"


class AtRiskPartner(models.Model):
    """A partner at risk on a scores day by the at-risk rules (``metrics.definitions.risk``),
    with the rules' reasons: the partner list's ``at_risk`` filter reads it as a subquery, and
    the day before says who just turned at risk (``partner.at_risk`` events)."""

    pk = models.CompositePrimaryKey("day", "partner")
    day = models.DateField()
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (day, partner) primary key indexes what the filter reads
    )
    reasons = models.JSONField(default=list)

    def __str__(self):
        return f"{self.day} {self.partner_id}"


# --- Churn forecast (metrics.churn, metrics.churn_model; docs/metrics.md "Churn forecast") -------
class ChurnModelStatus(models.TextChoices):
    TRAINED = "trained", gettext_lazy("Trained")
    TOO_LITTLE_HISTORY = "too_little_history", gettext_lazy("Too little history")


class ChurnModel(models.Model):
    """One trained version of the churn forecast, stored as data (no pickle): the logistic
    regression's coefficients on standardised features, the scaler's means and scales and the
    feature names, with its training cut-off, rows and its backtest against the at-risk rules.
    A version that could not be trained (too little history) is stored too, so the pages say why
    the rules stand alone."""

    trained_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=ChurnModelStatus.choices)
    cutoff = models.DateField(
        help_text=gettext_lazy(
            "Trained on as-of dates whose 90-day label window ended by this day."
        )
    )
    backtest_cutoff = models.DateField(
        null=True,
        help_text=gettext_lazy("The backtest's model was trained before it and scored at it."),
    )
    training_rows = models.PositiveIntegerField(default=0)
    training_positives = models.PositiveIntegerField(default=0)
    feature_names = models.JSONField(default=list)
    coefficients = models.JSONField(default=list)
    intercept = models.FloatField(default=0.0)
    means = models.JSONField(default=list)
    scales = models.JSONField(default=list)
    backtest = models.JSONField(
        default=dict, help_text=gettext_lazy("Figures of the model and of the rules.")
    )
    beats_rules = models.BooleanField(
        default=False,
        help_text=gettext_lazy("False: the pages keep the rule-based at-risk list as primary."),
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"churn model v{self.pk} ({self.status}, cut-off {self.cutoff})"


class ChurnForecast(models.Model):
    """A partner's forecast of a scores day by a model version: the probability of churning,
    going inactive or halving its activity in the 90 days after, the feature values the reasons
    are written from and the top contributions (feature, coefficient times standardised value)."""

    pk = models.CompositePrimaryKey("day", "partner")
    day = models.DateField()
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    model = models.ForeignKey(ChurnModel, on_delete=models.CASCADE, related_name="forecasts")
    probability = models.FloatField()
    values = models.JSONField(default=dict)
    contributions = models.JSONField(
        default=list, help_text=gettext_lazy("[[feature, contribution], …]")
    )

    class Meta:
        indexes = [models.Index(fields=["day", "-probability"], name="churn_day_prob_idx")]

    def __str__(self):
        return f"{self.day} {self.partner_id}: {self.probability:.0%}"
