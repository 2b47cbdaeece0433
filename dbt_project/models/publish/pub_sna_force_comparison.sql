{#-
    Strategic needs assessment profile (opcc): Leicestershire among the 43 territorial
    forces, from mart_force_comparison (Home Office police recorded crime, its own
    classification; one population year for every year, see the mart): per financial
    year up to the export quarter's and measure, Leicestershire's offences, population,
    rate per 1,000, rank (1 = highest rate) and England and Wales's rate. These are
    public Home Office figures read from reference data (no partner file), so no row is
    ever `[x]`. Figures before disclosure control.
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

leicestershire as (

    select * from {{ ref('mart_force_comparison') }}
    where is_llr

),

published as (

    select
        export_quarters.export_quarter,
        leicestershire.*,
        {{ period_start('leicestershire.financial_year', 'financial_year') }} as year_start,
        {{ period_end('leicestershire.financial_year', 'financial_year') }} as year_end,
        case leicestershire.measure
            when 'homicide' then 1
            when 'violence_with_injury' then 2
            when 'rape' then 3
            when 'sexual_offences' then 4
            when 'robbery' then 5
            else 6
        end as measure_order
    from export_quarters
    inner join leicestershire
        on export_quarters.financial_year >= leicestershire.financial_year

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(measure as {{ type_text() }}) as measure,
    cast(force_name as {{ type_text() }}) as force_name,
    cast(offences as bigint) as offences,
    cast(population as bigint) as population,
    cast({{ round_half_even('rate_per_1000', 3) }} as double) as rate_per_1000,
    cast(rank as integer) as rank,
    cast(forces_ranked as integer) as forces_ranked,
    cast({{ round_half_even('england_wales_rate_per_1000', 3) }} as double)
        as england_wales_rate_per_1000,
    {{ publish_bookkeeping('year_start', 'year_end') }},
    cast(
        row_number() over (partition by export_quarter order by financial_year, measure_order)
        as integer
    ) as row_order
from published
