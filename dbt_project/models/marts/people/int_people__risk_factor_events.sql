-- Every dated event that is one of the cohort analysis's eight risk factors, with the
-- person it belongs to. Whether it counts (dated strictly before the index date) is the
-- mart's question; here each event carries the date that is compared.

with

bridge as (

    select * from {{ ref('bridge_person_record') }}

),

looked_after as (

    select
        'looked_after' as factor,
        episode_start as factor_date,
        'la_cla' as source,
        la_code || ':' || child_ref || ':' || {{ format_date('episode_start', '%Y-%m-%d') }}
            as record_ref
    from {{ ref('stg_la__children_looked_after') }}

),

protection_plans as (

    select
        'child_protection_plan' as factor,
        plan_start as factor_date,
        'la_cpp' as source,
        la_code || ':' || child_ref || ':' || {{ format_date('plan_start', '%Y-%m-%d') }}
            as record_ref
    from {{ ref('stg_la__child_protection_plans') }}

),

persistent_absence as (

    -- Persistent absence: 10% or more of possible sessions missed (partner-extracts.md),
    -- dated by the end of the academic year (31 August). Compared in whole numbers so
    -- exactly 10% counts.
    select
        'persistent_absence' as factor,
        {{ period_end('academic_year', 'academic_year') }} as factor_date,
        'la_absence' as source,
        la_code || ':' || child_ref || ':' || academic_year as record_ref
    from {{ ref('stg_la__school_absence') }}
    where
        sessions_possible > 0
        and sessions_missed * 10 >= sessions_possible

),

exclusions as (

    select
        case type when 'permanent' then 'permanent_exclusion' else 'suspension' end as factor,
        start_date as factor_date,
        'la_exclusions' as source,
        la_code || ':' || child_ref || ':' || {{ format_date('start_date', '%Y-%m-%d') }}
            as record_ref
    from {{ ref('stg_la__exclusions') }}
    where type in ('suspension', 'permanent')

),

custody as (

    select
        'earlier_custody' as factor,
        cast(arrived_at as date) as factor_date,
        'custody' as source,
        custody_ref as record_ref
    from {{ ref('stg_police__custody') }}

),

council_and_custody as (

    select * from looked_after
    union all
    select * from protection_plans
    union all
    select * from persistent_absence
    union all
    select * from exclusions
    union all
    select * from custody

),

council_and_custody_events as (

    select
        bridge.person_key,
        council_and_custody.factor,
        council_and_custody.factor_date,
        council_and_custody.source,
        council_and_custody.record_ref
    from council_and_custody
    left join bridge
        on council_and_custody.source = bridge.source
            and council_and_custody.record_ref = bridge.record_ref

),

crime_events as (

    -- Earlier victimisation and offending: recorded, not cancelled crimes of any code,
    -- dated by recorded_date (DESIGN.md, Cohort).
    select
        person_key,
        case role when 'victim' then 'earlier_victimisation' else 'earlier_offending' end
            as factor,
        recorded_date as factor_date,
        'police_people' as source,
        record_ref
    from {{ ref('int_people__crime_involvements') }}

)

select * from council_and_custody_events
union all
select * from crime_events
