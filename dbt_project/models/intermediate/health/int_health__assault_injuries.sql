{#-
    The three health extracts as one list of assault-related events, each placed in a
    district and upper-tier authority and classified by means. Events count by their own
    date (arrived_at, admitted_at, call_at); an event is LLR's when its lad_code is one
    of the nine LLR districts/unitaries (published-figures.md). Out-of-area rows stay
    here with is_llr false.
-#}
with

ae as (

    select * from {{ ref('stg_health__ae_assaults') }}

),

admissions as (

    select * from {{ ref('stg_health__assault_admissions') }}

),

ambulance as (

    select * from {{ ref('stg_health__ambulance_assaults') }}

),

districts as (

    select distinct
        area_code as district_code,
        area_name as district_name,
        la_code
    from {{ ref('ref_population') }}
    where area_level = 'district'

),

icd10 as (

    select * from {{ ref('ref_icd10_assault') }}

),

-- external_cause may be written X99, X99.1 or X991 (partner-extracts.md): the
-- three-character category decides the means group and whether it was a sharp object.
admissions_coded as (

    select
        *,
        left(upper(trim(external_cause)), 3) as external_cause_category,
        left(upper(trim(external_cause)), 3)
        || case
            when length(replace(upper(trim(external_cause)), '.', '')) = 4
                then '.' || right(upper(trim(external_cause)), 1)
            else ''
        end as external_cause_code
    from admissions

),

events as (

    select
        'ae' as source,
        attendance_ref as event_ref,
        arrived_at as event_at,
        age,
        sex,
        ethnicity,
        lad_code,
        assault_method as means,
        assault_method as means_group,
        assault_method = 'knife_sharp' as is_sharp_object,
        site_code,
        assault_at,
        assault_location_type,
        cast(null as timestamp) as discharged_at,
        cast(null as {{ type_text() }}) as primary_diagnosis,
        cast(null as double) as cost_gbp,
        cast(null as boolean) as was_conveyed,
        file_name,
        period
    from ae

    union all

    select
        'admission' as source,
        admissions_coded.spell_ref as event_ref,
        admissions_coded.admitted_at as event_at,
        admissions_coded.age,
        admissions_coded.sex,
        admissions_coded.ethnicity,
        admissions_coded.lad_code,
        admissions_coded.external_cause_code as means,
        coalesce(icd10.sna_means_group, 'other') as means_group,
        coalesce(icd10.is_sharp_object, false) as is_sharp_object,
        cast(null as {{ type_text() }}) as site_code,
        cast(null as timestamp) as assault_at,
        cast(null as {{ type_text() }}) as assault_location_type,
        admissions_coded.discharged_at,
        admissions_coded.primary_diagnosis,
        admissions_coded.cost_gbp,
        cast(null as boolean) as was_conveyed,
        admissions_coded.file_name,
        admissions_coded.period
    from admissions_coded
    left join icd10
        on admissions_coded.external_cause_category = icd10.icd10_code

    union all

    select
        'ambulance' as source,
        incident_ref as event_ref,
        call_at as event_at,
        age,
        sex,
        cast(null as {{ type_text() }}) as ethnicity,
        lad_code,
        category as means,
        category as means_group,
        category = 'stab_gunshot_penetrating' as is_sharp_object,
        cast(null as {{ type_text() }}) as site_code,
        cast(null as timestamp) as assault_at,
        cast(null as {{ type_text() }}) as assault_location_type,
        cast(null as timestamp) as discharged_at,
        cast(null as {{ type_text() }}) as primary_diagnosis,
        cast(null as double) as cost_gbp,
        was_conveyed,
        file_name,
        period
    from ambulance

),

placed as (

    select
        events.source,
        events.event_ref,
        events.event_at,
        cast(events.event_at as date) as event_date,
        {{ financial_year('events.event_at') }} as financial_year,
        {{ fy_quarter('events.event_at') }} as fy_quarter,
        events.age,
        events.age < 25 as is_under_25,
        events.sex,
        events.ethnicity,
        events.lad_code,
        districts.district_code,
        districts.district_name,
        districts.la_code,
        districts.district_code is not null as is_llr,
        events.means,
        events.means_group,
        events.is_sharp_object,
        events.site_code,
        events.assault_at,
        events.assault_location_type,
        events.discharged_at,
        -- Whole days in hospital (0 = discharged the day of admission).
        {{ days_between('cast(events.event_at as date)', 'cast(events.discharged_at as date)') }}
            as length_of_stay_days,
        events.primary_diagnosis,
        events.cost_gbp,
        events.was_conveyed,
        events.file_name,
        events.period

    from events
    left join districts
        on events.lad_code = districts.district_code

)

select * from placed
