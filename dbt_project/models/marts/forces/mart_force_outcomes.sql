{#-
    Crime outcomes per financial year, territorial force and offence group (and `all`),
    from the Home Office outcomes open data: outcomes of the year's recorded offences,
    those charged or summonsed, the charge rate, its rank among the 43 territorial
    forces (1 = highest; ties share the lower rank) and the England and Wales rate.
-#}
with

outcomes as (

    select * from {{ ref('ref_force_outcomes') }}

),

force_names as (

    select * from {{ ref('ref_force_names') }}

),

complete_years as (

    select financial_year
    from outcomes
    group by financial_year
    having max(quarters_present) = 4

),

by_group as (

    select
        financial_year,
        force_name,
        offence_group,
        sum(outcomes) as outcomes,
        -- Outcome group `Charged/Summonsed` is outcome type 1 (charge or summons), the
        -- only type of the group in the file (its 1A, if any, is folded into 1).
        sum(outcomes) filter (where outcome_group = 'Charged/Summonsed') as charged
    from outcomes
    group by financial_year, force_name, offence_group

    union all

    select
        financial_year,
        force_name,
        'all' as offence_group,
        sum(outcomes) as outcomes,
        sum(outcomes) filter (where outcome_group = 'Charged/Summonsed') as charged
    from outcomes
    group by financial_year, force_name

),

spine as (

    select
        complete_years.financial_year,
        force_names.force_name,
        force_names.pfa_code,
        force_names.is_llr,
        offence_groups.offence_group
    from complete_years
    cross join force_names
    cross join (
        select distinct offence_group from outcomes
        union
        select 'all' as offence_group
    ) as offence_groups

),

filled as (

    select
        spine.*,
        coalesce(by_group.outcomes, 0) as outcomes,
        coalesce(by_group.charged, 0) as charged,
        {{ share('coalesce(by_group.charged, 0)', 'by_group.outcomes') }} as charge_rate
    from spine
    left join by_group
        on
            spine.financial_year = by_group.financial_year
            and spine.force_name = by_group.force_name
            and spine.offence_group = by_group.offence_group

),

ranked as (

    select
        *,
        case
            when charge_rate is not null
                then rank() over (
                        partition by financial_year, offence_group
                        order by charge_rate desc nulls last
                    )
        end as force_rank,
        sum(outcomes) over (partition by financial_year, offence_group)
            as england_wales_outcomes,
        sum(charged) over (partition by financial_year, offence_group)
            as england_wales_charged
    from filled

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(force_name as {{ type_text() }}) as force_name,
    cast(pfa_code as {{ type_text() }}) as pfa_code,
    cast(is_llr as boolean) as is_llr,
    cast(offence_group as {{ type_text() }}) as offence_group,
    cast(outcomes as bigint) as outcomes,
    cast(charged as bigint) as charged_summonsed,
    cast(charge_rate as double) as charge_rate,
    cast(force_rank as integer) as rank,
    cast(england_wales_outcomes as bigint) as england_wales_outcomes,
    cast(england_wales_charged as bigint) as england_wales_charged_summonsed,
    cast({{ share('england_wales_charged', 'england_wales_outcomes') }} as double)
        as england_wales_charge_rate
from ranked
