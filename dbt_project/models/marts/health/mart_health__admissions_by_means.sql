{#-
    Emergency admissions of LLR residents for assault per financial year, by the SNA's
    diagnosis groups (external cause: bodily force Y04, sharp object X99, unspecified
    Y09, other specified Y08, sexual assault by bodily force Y05, other), with the rate
    per 1,000 residents (003 SNA: 0.080 / 0.025 / 0.020 / 0.006 / 0.004 in 2022-23).
    Every group appears for every year admissions cover, 0 when none.
-#}
with

admissions as (

    select * from {{ ref('fct_assault_injury') }}
    where source = 'admission'

),

years as (

    select
        financial_year,
        population
    from {{ ref('mart_health__summary') }}
    where source = 'admission'

),

means_groups as (

    select distinct sna_means_group as means_group
    from {{ ref('ref_icd10_assault') }}

),

counted as (

    select
        financial_year,
        means_group,
        count(*) as admissions
    from admissions
    group by financial_year, means_group

),

filled as (

    select
        years.financial_year,
        means_groups.means_group,
        years.population,
        coalesce(counted.admissions, 0) as admissions
    from years
    cross join means_groups
    left join counted
        on
            years.financial_year = counted.financial_year
            and means_groups.means_group = counted.means_group

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(means_group as {{ type_text() }}) as means_group,
    cast(admissions as bigint) as admissions,
    cast({{ rate_per_1000('admissions', 'population') }} as double) as rate_per_1000,
    cast(
        {{ share('admissions', 'sum(admissions) over (partition by financial_year)') }} as double
    ) as share_of_admissions
from filled
