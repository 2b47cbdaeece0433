{#-
    Recorded crime per financial year, territorial force and measure, with the force's
    rate per 1,000 residents, its rank among the 43 territorial forces (1 = highest
    rate; ties share the lower rank, as SQL rank()) and the England and Wales rate (all
    43 forces' offences / their population). DESIGN.md, "The three marts of people and
    forces": measures in the Home Office file's own classification (ref_force_measures),
    financial years from 2019-20 to the last complete one, every combination present.
-#}
with

recorded_crime as (

    select * from {{ ref('ref_force_recorded_crime') }}

),

force_names as (

    select * from {{ ref('ref_force_names') }}

),

force_populations as (

    select * from {{ ref('ref_force_populations') }}

),

measures as (

    select * from {{ ref('ref_force_measures') }}

),

-- A year is complete when the file holds its fourth quarter (2025-26 has Q1-Q3 only).
complete_years as (

    select financial_year
    from recorded_crime
    where financial_year >= '2019-20'
    group by financial_year
    having max(quarters_present) = 4

),

forces as (

    select
        force_names.force_name,
        force_names.pfa_code,
        force_names.is_llr,
        force_populations.population
    from force_names
    inner join force_populations
        on force_names.pfa_code = force_populations.pfa_code

),

offences_by_measure as (

    select
        recorded_crime.financial_year,
        recorded_crime.force_name,
        measures.measure,
        sum(recorded_crime.offences) as offences
    from recorded_crime
    inner join measures
        on
            (
                measures.offence_group is null
                or recorded_crime.offence_group = measures.offence_group
            )
            and (
                measures.offence_subgroup is null
                or recorded_crime.offence_subgroup = measures.offence_subgroup
            )
    group by recorded_crime.financial_year, recorded_crime.force_name, measures.measure

),

spine as (

    select
        complete_years.financial_year,
        forces.force_name,
        forces.pfa_code,
        forces.is_llr,
        forces.population,
        measures.measure
    from complete_years
    cross join forces
    cross join measures

),

filled as (

    select
        spine.*,
        coalesce(offences_by_measure.offences, 0) as offences,
        {{ rate_per_1000('coalesce(offences_by_measure.offences, 0)', 'spine.population') }}
            as rate_per_1000
    from spine
    left join offences_by_measure
        on
            spine.financial_year = offences_by_measure.financial_year
            and spine.force_name = offences_by_measure.force_name
            and spine.measure = offences_by_measure.measure

),

ranked as (

    select
        *,
        rank() over (
            partition by financial_year, measure order by rate_per_1000 desc
        ) as force_rank,
        count(*) over (partition by financial_year, measure) as forces_ranked,
        sum(offences) over (partition by financial_year, measure) as england_wales_offences,
        sum(population) over (partition by financial_year, measure)
            as england_wales_population
    from filled

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(force_name as {{ type_text() }}) as force_name,
    cast(pfa_code as {{ type_text() }}) as pfa_code,
    cast(is_llr as boolean) as is_llr,
    cast(measure as {{ type_text() }}) as measure,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    cast(rate_per_1000 as double) as rate_per_1000,
    cast(force_rank as integer) as rank,
    cast(forces_ranked as integer) as forces_ranked,
    cast(england_wales_offences as bigint) as england_wales_offences,
    cast(england_wales_population as bigint) as england_wales_population,
    cast({{ rate_per_1000('england_wales_offences', 'england_wales_population') }} as double)
        as england_wales_rate_per_1000
from ranked
