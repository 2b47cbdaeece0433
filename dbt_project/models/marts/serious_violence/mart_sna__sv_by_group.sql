{#-
    Serious violence per financial year and offence group of the local definition (003
    SNA, "Nature of Serious Violence": stalking and harassment 39.7%, violence with
    injury 37.9%): offences, share of all serious violence, rate per 1,000 and change
    on the year before. Every group appears for every year, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

llr as (

    select * from {{ ref('mart_sv_by_area') }}
    where area_level = 'llr'

),

sv_groups as (

    select distinct sv_group
    from {{ ref('ref_offence_codes') }}
    where sv_group is not null

),

counted as (

    select
        financial_year,
        sv_group,
        count(*) as offences
    from serious_violence
    group by financial_year, sv_group

),

filled as (

    select
        llr.financial_year,
        sv_groups.sv_group,
        coalesce(counted.offences, 0) as offences,
        llr.offences as all_offences,
        llr.population
    from llr
    cross join sv_groups
    left join counted
        on
            llr.financial_year = counted.financial_year
            and sv_groups.sv_group = counted.sv_group

)

select
    cast(filled.financial_year as varchar) as financial_year,
    cast(filled.sv_group as varchar) as sv_group,
    cast(filled.offences as bigint) as offences,
    cast({{ share('filled.offences', 'filled.all_offences') }} as double) as share_of_sv,
    cast({{ rate_per_1000('filled.offences', 'filled.population') }} as double) as rate_per_1000,
    cast(previous_year.offences as bigint) as offences_previous_year,
    cast(
        {{ share('filled.offences - previous_year.offences', 'previous_year.offences') }} as double
    ) as change_on_previous_year
from filled
left join filled as previous_year
    on
        previous_year.financial_year = {{ previous_financial_year('filled.financial_year') }}
        and filled.sv_group = previous_year.sv_group
