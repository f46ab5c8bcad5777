"""Admin imports of master data in short batches, so that everybody else can write meanwhile.

SQLite lets one connection write at a time. django-import-export imports a file in one
transaction, and with ``transaction_mode = IMMEDIATE`` that transaction holds the write
lock from its first row to its last: while 20,000 projects were imported every save,
login and background job waited and gave up after the busy timeout. Here a large file is
imported as a series of ordinary imports of a few hundred rows each (``BatchedImport``):

* each batch is one transaction of about ``IMPORT_BATCH_SECONDS`` (the number of rows
  follows the measured speed), then the import pauses ``IMPORT_BATCH_PAUSE`` seconds so
  that writers waiting in SQLite's busy handler (which retries every 100 ms at most)
  get the lock;
* the dry run (the preview before 確定) runs batch by batch too, each batch rolled back;
* the real import stops at the first batch with an error: that batch is rolled back,
  the batches before it stay, and the result says so (``stopped_at_row``) — the admin
  shows which rows were imported and that re-importing the same file is safe. It is:
  rows are found by their codes (``import_id_fields``) and unchanged rows are skipped,
  so the rows already imported are not imported twice.

Only resources whose rows do not depend on other rows of the same file are batched
(a 施策 file names parents from the same file: PlanNodeResource stays in one transaction
and is small). Files up to one batch are imported exactly as before.

``CachedLookups``, ``KeyedInstanceLoader`` and ``TrustedLookups`` cut the queries per row
(a related row by code once per import, the existing rows of a batch in one query, no
second query to check that a related row just found exists), which shortens every batch
and the whole import.
"""

import time
from contextlib import nullcontext

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Model
from import_export.instance_loaders import ModelInstanceLoader


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


class BatchedImport:
    """Mixin for a ``ModelResource``: import large files in short transactions."""

    first_batch_rows = 50
    min_batch_rows = 25
    max_batch_rows = 1000

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        single = super().import_data
        options = {
            "dry_run": dry_run,
            "raise_errors": raise_errors,
            "use_transactions": use_transactions,
            "collect_failed_rows": collect_failed_rows,
            "rollback_on_validation_errors": rollback_on_validation_errors,
        }
        total = len(dataset)
        if total <= self.first_batch_rows:
            return single(dataset, **options, **kwargs)
        db = self.get_db_connection_name()
        if use_transactions is None:
            use_transactions = self.get_use_transactions()
        options["use_transactions"] = use_transactions
        transactional = (use_transactions or dry_run) and getattr(
            connections[db].features, "supports_transactions", False
        )
        return self._import_in_batches(dataset, single, options, kwargs, db, transactional)

    def _import_in_batches(self, dataset, single, options, kwargs, db, transactional):
        """One transaction per batch; each batch sized to hold the write lock about
        IMPORT_BATCH_SECONDS, with IMPORT_BATCH_PAUSE between batches for other writers."""
        seconds = _setting("IMPORT_BATCH_SECONDS", 0.3)
        pause = _setting("IMPORT_BATCH_PAUSE", 0.15)
        total, dry_run = len(dataset), options["dry_run"]
        merged = self.get_result_class()()
        merged.total_rows = total
        merged.batches = 0
        merged.stopped_at_row = None
        start, size = 0, self.first_batch_rows
        while start < total:
            rows = dataset[start : start + size]
            batch = tablib.Dataset(*rows, headers=dataset.headers)
            with transaction.atomic(using=db) if transactional else nullcontext():
                # On SQLite the write lock is this batch's from here (BEGIN IMMEDIATE): the
                # batch's size follows the time it holds it, not the time it waited for it.
                began = time.monotonic()
                result = single(batch, **options, **kwargs)
                elapsed = time.monotonic() - began
            merged.batches += 1
            failed = _failed(result, dry_run, options["rollback_on_validation_errors"])
            _merge(merged, result, offset=start, rolled_back=failed)
            if failed:
                if not dry_run:
                    merged.stopped_at_row = start + 1
                break
            start += len(rows)
            per_row = elapsed / len(rows)
            size = int(seconds / per_row) if per_row else self.max_batch_rows
            size = max(self.min_batch_rows, min(self.max_batch_rows, size))
            if start < total and pause:
                time.sleep(pause)
        return merged


def _failed(result, dry_run: bool, rollback_on_validation_errors: bool) -> bool:
    """A batch whose rows are rolled back: a base error, or (not a dry run) an error or,
    when asked, a validation error."""
    return bool(result.base_errors) or (
        not dry_run
        and (
            result.has_errors()
            or (rollback_on_validation_errors and result.has_validation_errors())
        )
    )


def _merge(merged, result, *, offset: int, rolled_back: bool):
    """Add one batch's result to the whole file's, row numbers counted from the file's top."""
    if not merged.diff_headers:
        merged.diff_headers = result.diff_headers
    if result.failed_dataset.headers and not merged.failed_dataset.headers:
        merged.failed_dataset.headers = result.failed_dataset.headers
    for row in result.failed_dataset:
        merged.failed_dataset.append(row)
    merged.base_errors.extend(result.base_errors)
    for row_result in result.rows:
        for error in row_result.errors:
            if error.number is not None:
                error.number += offset
        # A rolled-back batch keeps only what explains the failure, not rows that were undone.
        if not rolled_back or row_result.errors or row_result.validation_error:
            merged.append_row_result(row_result)
    for error_row in result.error_rows:
        error_row.number += offset
        merged.error_rows.append(error_row)
    for invalid in result.invalid_rows:
        invalid.number += offset
        merged.invalid_rows.append(invalid)
    if not rolled_back:
        for kind, count in result.totals.items():
            merged.totals[kind] += count
    else:
        for kind in ("error", "invalid"):
            merged.totals[kind] += result.totals[kind]


def _plain(value):
    return value.pk if isinstance(value, Model) else value


class KeyedInstanceLoader(ModelInstanceLoader):
    """The rows of a batch that already exist, loaded with one query.

    A key (the cleaned ``import_id_fields``) seen a second time in the same batch, or a row
    whose key cannot be read, is looked up as ``ModelInstanceLoader`` does, so a file that
    names a row twice updates it the second time and a bad code is reported as before.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        model = resource._meta.model
        self.id_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.attnames = [model._meta.get_field(f.attribute).attname for f in self.id_fields]
        self.keys = set()
        self.instances = {}
        self.seen = set()
        columns = {}
        for row in dataset.dict if dataset is not None else []:
            try:
                key = self.key(row)
            except Exception:  # reported by get_instance for this row, as before
                continue
            self.keys.add(key)
            for attname, value in zip(self.attnames, key, strict=True):
                columns.setdefault(attname, set()).add(value)
        if self.keys:
            lookup = {f"{attname}__in": values for attname, values in columns.items()}
            for obj in self.get_queryset().filter(**lookup):
                key = tuple(getattr(obj, attname) for attname in self.attnames)
                if key in self.keys:
                    self.instances[key] = obj

    def key(self, row):
        return tuple(_plain(field.clean(row)) for field in self.id_fields)

    def get_instance(self, row):
        try:
            key = self.key(row)
        except Exception:
            return super().get_instance(row)
        if key not in self.keys or key in self.seen:
            return super().get_instance(row)
        self.seen.add(key)
        return self.instances.get(key)


class CachedLookups:
    """Mixin for a ``ForeignKeyWidget``: each related row looked up once per import.

    The key is the value and the row's columns that scope the lookup (``municipality``,
    ``plan``); a missing row is remembered too and raises the same error each time. The
    cache lives on the widget, which each resource instance copies for itself, so it
    lasts one import.
    """

    scope_columns = ("municipality", "plan")

    def get_instance_by_lookup_fields(self, value, row, **kwargs):
        cache = self.__dict__.setdefault("_lookup_cache", {})
        key = (value, *((row or {}).get(column) for column in self.scope_columns))
        if key not in cache:
            try:
                cache[key] = (super().get_instance_by_lookup_fields(value, row, **kwargs), None)
            except (self.model.DoesNotExist, self.model.MultipleObjectsReturned) as exc:
                cache[key] = (None, exc)
        found, error = cache[key]
        if error is not None:
            raise type(error)(*error.args)
        return found


class TrustedLookups:
    """Mixin for a ``ModelResource`` whose related rows come from ``CachedLookups`` widgets.

    ``full_clean`` checks a foreign key with one query per field and row; a related row
    that the widget has just looked up by its code exists, so its field is left out of
    ``full_clean`` — and with it the unique constraint that names it, which the database
    enforces anyway (the row is found by that very key before it is saved, so only a
    concurrent insert of the same code can still fail, reported as the row's error). A
    missing or empty relation is validated as before.
    """

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            found = {
                field.attribute
                for field in self.fields.values()
                if isinstance(field.widget, CachedLookups)
                and isinstance(getattr(instance, field.attribute, None), Model)
            }
            try:
                instance.full_clean(exclude={*errors, *found}, validate_unique=validate_unique)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
