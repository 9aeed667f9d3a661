"""closed vocabularies: every column holding one of a fixed set of values gets a CHECK constraint

Columns that were plain strings (year type, shift rule, schedule kind, transition statuses and
return reason, notice kind, subscription kind, reminder kind) and the enum columns that had no
constraint (organization and group kind, role, roadmap, task and proposal status) now refuse
any value outside their vocabulary, raw SQL included. The column types stay VARCHAR of the same
length, so nothing is rewritten on PostgreSQL; SQLite rebuilds the tables (batch mode).

Existing data: values differing only in case or surrounding spaces ("Academic ") are
normalised. Any other value outside a vocabulary stops the upgrade before anything changes,
with the list of offending values: each of these columns drives behaviour (dates, permissions,
history, feeds), so guessing a replacement would silently change what users see.

The vocabularies are copied here, not imported: a migration must keep meaning what it meant
when it was written, whatever the enums become later.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


TASK_STATUSES = ('planned', 'submitted', 'returned', 'accepted')

# table -> [(column, constraint name, vocabulary)], in the order the tables are rebuilt.
VOCABULARIES = {
    'organization': [
        ('kind', 'ck_organization_org_kind', ('centre', 'department', 'school', 'preschool', 'additional', 'college', 'university', 'enterprise', 'other')),
    ],
    'org_group': [
        ('kind', 'ck_org_group_org_kind', ('centre', 'department', 'school', 'preschool', 'additional', 'college', 'university', 'enterprise', 'other')),
    ],
    'user_account': [
        ('role', 'ck_user_account_role', ('admin', 'coordinator', 'executor', 'observer')),
    ],
    'roadmap': [
        ('year_type', 'ck_roadmap_year_type', ('calendar', 'academic')),
        ('shift_rule', 'ck_roadmap_shift_rule', ('next', 'previous', 'none')),
        ('status', 'ck_roadmap_roadmap_status', ('draft', 'published', 'archived')),
    ],
    'measure': [
        ('schedule_kind', 'ck_measure_schedule_kind', ('deadline', 'window', 'continuous', 'whole_period', 'periodic', 'list', 'manual', 'unparsed')),
    ],
    'task': [
        ('status', 'ck_task_task_status', TASK_STATUSES),
    ],
    'transition': [
        ('from_status', 'ck_transition_from_status', TASK_STATUSES),
        ('to_status', 'ck_transition_to_status', TASK_STATUSES),
        ('reason', 'ck_transition_reason', ('no_evidence', 'coverage', 'wrong_measure', 'dates', 'incomplete', 'other')),
    ],
    'notice': [
        ('kind', 'ck_notice_kind', ('returned', 'new_tasks', 'dates_proposed', 'dates_confirmed', 'dates_rejected')),
    ],
    'subscription': [
        ('kind', 'ck_subscription_kind', ('personal', 'organization', 'roadmap')),
    ],
    'reminder_log': [
        ('kind', 'ck_reminder_log_kind', ('daily', 'weekly')),
    ],
    'date_proposal': [
        ('status', 'ck_date_proposal_proposal_status', ('proposed', 'confirmed', 'rejected', 'superseded')),
    ],
}


def _in_list(values):
    return ', '.join(f"'{value}'" for value in values)


def _normalised(column):
    return f'lower(trim({column}))'


def _refuse_unknown_values(bind):
    problems = []
    for table, columns in VOCABULARIES.items():
        for column, _name, values in columns:
            rows = bind.execute(
                sa.text(
                    f'SELECT {column}, COUNT(*) FROM {table} '
                    f'WHERE {column} IS NOT NULL AND {_normalised(column)} NOT IN ({_in_list(values)}) '
                    f'GROUP BY {column} ORDER BY {column}'
                )
            ).all()
            if rows:
                found = ', '.join(f'{value!r} ({count})' for value, count in rows)
                problems.append(f'{table}.{column}: {found}; допустимо: {", ".join(values)}')
    if problems:
        raise RuntimeError(
            'Миграция 0008 остановлена, база не изменена: значения вне словаря — '
            + '; '.join(problems)
            + '. Исправьте эти строки (UPDATE) и повторите flask db upgrade.'
        )


def upgrade():
    bind = op.get_bind()
    _refuse_unknown_values(bind)
    for table, columns in VOCABULARIES.items():
        for column, _name, values in columns:
            op.execute(
                f'UPDATE {table} SET {column} = {_normalised(column)} '
                f'WHERE {column} IS NOT NULL AND {column} <> {_normalised(column)}'
            )
    for table, columns in VOCABULARIES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, name, values in columns:
                batch_op.create_check_constraint(op.f(name), f'{column} IN ({_in_list(values)})')


def downgrade():
    # The values themselves are unchanged: only the constraints go.
    for table, columns in reversed(VOCABULARIES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _column, name, _values in reversed(columns):
                batch_op.drop_constraint(op.f(name), type_='check')
