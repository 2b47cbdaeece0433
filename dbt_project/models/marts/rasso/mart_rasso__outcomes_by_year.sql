{#-
    Rape and all RASSO per financial year recorded (offence_scope `rape` or `rasso`):
    offences, rate per 1,000, charge rate against the force's 8% target, the share whose
    victim does not support action, the share still under investigation, and the median
    days from recording to outcome over crimes whose current outcome was assigned in the
    year (003 Op Soteria; 000). Every scope appears for every year, 0 when none.
-#}
with

rasso as (

    select * from {{ ref('fct_rasso') }}

),

years as (

    select
        financial_year,
        population
    from {{ ref('mart_sv_by_area') }}
    where area_level = 'llr'

),

scoped as (

    select
        *,
        'rasso' as offence_scope
    from rasso
    union all
    select
        *,
        'rape' as offence_scope
    from rasso
    where is_rape

),

recorded as (

    select
        financial_year,
        offence_scope,
        count(*) as offences,
        count(*) filter (where is_charged) as charged,
        count(*) filter (where is_victim_not_supporting) as victim_not_supporting,
        count(*) filter (where is_under_investigation) as under_investigation,
        count(*) filter (where is_suspect_identified) as suspect_identified
    from scoped
    group by financial_year, offence_scope

),

outcomes_assigned as (

    select
        {{ financial_year('outcome_date') }} as financial_year,
        offence_scope,
        count(*) as outcomes_assigned,
        {{ median('days_to_outcome') }} as median_days_to_outcome
    from scoped
    where outcome_date is not null
    group by {{ financial_year('outcome_date') }}, offence_scope

),

scopes as (

    select scopes.* from (values ('rape'), ('rasso')) as scopes (offence_scope)

)

select
    cast(years.financial_year as {{ type_text() }}) as financial_year,
    cast(scopes.offence_scope as {{ type_text() }}) as offence_scope,
    cast(coalesce(recorded.offences, 0) as bigint) as offences,
    cast({{ rate_per_1000('coalesce(recorded.offences, 0)', 'years.population') }} as double)
        as rate_per_1000,
    cast(coalesce(recorded.suspect_identified, 0) as bigint) as suspect_identified,
    cast(coalesce(recorded.charged, 0) as bigint) as charged,
    cast({{ share('recorded.charged', 'recorded.offences') }} as double) as charge_rate,
    cast({{ var('rape_charge_rate_target') }} as double) as charge_rate_target,
    cast(coalesce(recorded.victim_not_supporting, 0) as bigint) as victim_not_supporting,
    cast({{ share('recorded.victim_not_supporting', 'recorded.offences') }} as double)
        as victim_not_supporting_rate,
    cast(coalesce(recorded.under_investigation, 0) as bigint) as under_investigation,
    cast({{ share('recorded.under_investigation', 'recorded.offences') }} as double)
        as under_investigation_share,
    cast(coalesce(outcomes_assigned.outcomes_assigned, 0) as bigint) as outcomes_assigned,
    cast(outcomes_assigned.median_days_to_outcome as double) as median_days_to_outcome
from years
cross join scopes
left join recorded
    on
        years.financial_year = recorded.financial_year
        and scopes.offence_scope = recorded.offence_scope
left join outcomes_assigned
    on
        years.financial_year = outcomes_assigned.financial_year
        and scopes.offence_scope = outcomes_assigned.offence_scope
