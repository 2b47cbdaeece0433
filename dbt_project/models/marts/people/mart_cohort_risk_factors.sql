-- How many of the cohort had each risk factor before their index date, and how many
-- factors each had on average (003, SNA: 4.8 on average; 5.1 for murder and attempted
-- murder). Every subgroup x factor row is present, 0 when no one has it. The counting
-- is the macro cohort_risk_factor_counts, shared with pub_sna_cohort_risk_factors.

with

counted as (

    {{ cohort_risk_factor_counts(
        ref('int_people__cohort'), ref('int_people__risk_factor_events')
    ) }}

),

final as (

    select
        subgroup,
        factor,
        persons,
        persons_with_factor,
        avg_factors_per_person
    from counted
    order by subgroup_order, factor_order

)

select * from final
