{#-
    Which partner files each exported window needs and whether they are here: every
    quarterly extract (seed ref_partner_extracts) x every quarter from the start of the
    first exported financial year to the last exported quarter. A quarter with no loaded
    file is missing - never sent, or rejected at ingest - and DESIGN.md "Known-missing
    data is shown, not hidden": it is not a zero, every published cell drawing on it is
    `[x]`, and the manifest's `missing` names the file and why (this model is that list).
-#}
with

extracts as (

    select
        source,
        entity
    from {{ ref('ref_partner_extracts') }}
    where period_kind = 'fy_quarter'

),

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

bounds as (

    select
        make_date({{ financial_year_start_year('min(export_quarter_start)') }}, 4, 1)
            as first_start,
        max(export_quarter_start) as last_start
    from export_quarters
    having count(*) > 0

),

quarters as (

    select
        {{ unnest_dates(
            "first_start",
            "last_start",
            "interval 3 month"
        ) }}
            as period_start
    from bounds

),

current_files as (

    -- The current version of each file name: loaded, or rejected (a rejected re-send
    -- replaces the loaded version, spec "Re-sends"); superseded versions are history.
    select
        source,
        entity,
        period,
        file_name,
        outcome,
        reason,
        row_number() over (
            partition by source, entity, period
            order by outcome = 'loaded' desc, loaded_at desc, file_name asc
        ) as file_rank
    from {{ ref('stg_audit__files') }}
    where outcome in ('loaded', 'rejected')

),

spine as (

    select
        extracts.source,
        extracts.entity,
        {{ fy_quarter('quarters.period_start') }} as period,
        quarters.period_start,
        cast(quarters.period_start + interval 3 month - interval 1 day as date) as period_end
    from extracts
    cross join quarters

)

select
    cast(spine.source as {{ type_text() }}) as source,
    cast(spine.entity as {{ type_text() }}) as entity,
    cast(spine.period as {{ type_text() }}) as period,
    spine.period_start,
    spine.period_end,
    coalesce(current_files.outcome, '') != 'loaded' as is_missing,
    cast(current_files.file_name as {{ type_text() }}) as file_name,
    cast(
        case
            when current_files.outcome = 'loaded' then null
            when current_files.outcome = 'rejected'
                then 'rejected at ingest: ' || coalesce(current_files.reason, 'no reason recorded')
            else 'no file received'
        end as {{ type_text() }}
    ) as reason
from spine
left join current_files
    on
        spine.source = current_files.source
        and spine.entity = current_files.entity
        and spine.period = current_files.period
        and current_files.file_rank = 1
