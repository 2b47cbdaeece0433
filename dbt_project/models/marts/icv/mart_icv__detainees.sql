{#-
    Detainees at ICV visits per financial year and suite (with `all`): in cells, offered
    a visit, not offered on advice, unavailable, asleep or observed, and of those
    offered, agreed and refused (003 ICV report paras 31-33: 1,096 in cells, 407 offered
    (37%), 365 agreed (90% of offered)).
-#}
with

visits as (

    select * from {{ ref('fct_icv_visit') }}

),

suites_by_year as (

    select
        financial_year,
        suite_code,
        suite_name,
        visits
    from {{ ref('mart_icv__visits_vs_target') }}

),

summed as (

    select
        financial_year,
        suite_code,
        detainees_in_cells,
        offered,
        not_offered_on_advice,
        unavailable,
        asleep_observed,
        agreed,
        refused
    from visits

    union all

    select
        financial_year,
        'all' as suite_code,
        detainees_in_cells,
        offered,
        not_offered_on_advice,
        unavailable,
        asleep_observed,
        agreed,
        refused
    from visits

),

labelled as (

    select
        financial_year,
        suite_code,
        sum(detainees_in_cells) as detainees_in_cells,
        sum(offered) as offered,
        sum(not_offered_on_advice) as not_offered_on_advice,
        sum(unavailable) as unavailable,
        sum(asleep_observed) as asleep_observed,
        sum(agreed) as agreed,
        sum(refused) as refused
    from summed
    group by financial_year, suite_code

),

filled as (

    select
        suites_by_year.financial_year,
        suites_by_year.suite_code,
        suites_by_year.suite_name,
        suites_by_year.visits,
        coalesce(labelled.detainees_in_cells, 0) as detainees_in_cells,
        coalesce(labelled.offered, 0) as offered,
        coalesce(labelled.not_offered_on_advice, 0) as not_offered_on_advice,
        coalesce(labelled.unavailable, 0) as unavailable,
        coalesce(labelled.asleep_observed, 0) as asleep_observed,
        coalesce(labelled.agreed, 0) as agreed,
        coalesce(labelled.refused, 0) as refused
    from suites_by_year
    left join labelled
        on
            suites_by_year.financial_year = labelled.financial_year
            and suites_by_year.suite_code = labelled.suite_code

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(suite_name as {{ type_text() }}) as suite_name,
    cast(visits as bigint) as visits,
    cast(detainees_in_cells as bigint) as detainees_in_cells,
    cast(offered as bigint) as offered,
    cast({{ share('offered', 'detainees_in_cells') }} as double) as offered_share,
    cast(not_offered_on_advice as bigint) as not_offered_on_advice,
    cast({{ share('not_offered_on_advice', 'detainees_in_cells') }} as double)
        as not_offered_on_advice_share,
    cast(unavailable as bigint) as unavailable,
    cast({{ share('unavailable', 'detainees_in_cells') }} as double) as unavailable_share,
    cast(asleep_observed as bigint) as asleep_observed,
    cast({{ share('asleep_observed', 'detainees_in_cells') }} as double) as asleep_observed_share,
    cast(agreed as bigint) as agreed,
    cast({{ share('agreed', 'offered') }} as double) as agreed_share_of_offered,
    cast(refused as bigint) as refused,
    cast({{ share('refused', 'offered') }} as double) as refused_share_of_offered
from filled
