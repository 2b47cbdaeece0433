{#-
    Every crime as it stands now: one row per crime_ref from the current file of its
    period, classified by the offence-code seed and placed by the beat seed. Cancelled
    crimes stay here (flagged by is_recorded) so that their victims, suspects and outcomes
    are known to have arrived; every figure uses int_police__recorded_crimes instead.
    Built crime by crime (macros/crime_chain.sql): only the crimes whose inputs changed.
-#}
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        pre_hook="{{ delete_crimes_to_rebuild(ref('int_police__crime_inputs'), is_incremental()) }}",
    )
}}

with

inputs as (

    select * from {{ ref('int_police__crime_inputs') }}

),

to_build as (

    {{ crimes_to_build(ref('int_police__crime_inputs'), is_incremental()) }}

),

crimes as (

    select * from {{ crime_rows_to_build(ref('stg_police__crimes'), is_incremental()) }}

),

offence_codes as (

    select * from {{ ref('ref_offence_codes') }}

),

beats as (

    select * from {{ ref('ref_beats') }}

),

-- Ingest keeps crime_ref unique across current files; should a crime ever arrive twice,
-- the later period's file (then the later row) is the newer statement of it.
superseded as (

    {{
        superseded_rows(
            crime_rows_to_build(ref('stg_police__crimes'), is_incremental()), ['crime_ref']
        )
    }}

),

current_crimes as (

    select crimes.*
    from crimes
    anti join superseded
        on
            crimes.file_name = superseded.file_name
            and crimes.row_number = superseded.row_number

),

classified as (

    select
        current_crimes.crime_ref,
        current_crimes.recorded_date,
        {{ financial_year('current_crimes.recorded_date') }} as financial_year,
        {{ fy_quarter('current_crimes.recorded_date') }} as fy_quarter,
        cast({{ month_start('current_crimes.recorded_date') }} as date) as recorded_month,
        current_crimes.offence_from,
        current_crimes.offence_to,
        cast(current_crimes.offence_from as date) as offence_date,
        hour(current_crimes.offence_from) as offence_hour,
        {{ iso_weekday('current_crimes.offence_from') }} as offence_weekday,
        current_crimes.ho_offence_code,
        offence_codes.description as offence_description,
        offence_codes.ons_offence_group,
        offence_codes.sv_group,
        offence_codes.sv_group is not null as is_serious_violence,
        coalesce(offence_codes.sv_group = 'homicide', false) as is_homicide,
        coalesce(offence_codes.is_sexual_violence, false) as is_sexual_violence,
        coalesce(offence_codes.is_rape, false) as is_rape,
        coalesce(offence_codes.is_rasso, false) as is_rasso,
        coalesce(offence_codes.is_ho_knife_offence, false) as is_ho_knife_offence,
        coalesce(offence_codes.is_cohort_high_harm, false) as is_cohort_high_harm,
        coalesce(offence_codes.is_murder_attempted_murder, false)
            as is_murder_attempted_murder,
        -- Home Office knife-enabled serious violence: flagged knife or sharp object and
        -- an offence on the Home Office list (published-figures.md, SV Duty measures).
        current_crimes.is_knife_sharp
        and coalesce(offence_codes.is_ho_knife_offence, false) as is_knife_enabled_ho,
        current_crimes.beat_code,
        beats.npa_name,
        beats.district_code,
        beats.district_name,
        beats.la_code,
        beats.la_name,
        beats.csp_name,
        current_crimes.location_type,
        current_crimes.is_domestic_abuse,
        current_crimes.is_knife_sharp,
        current_crimes.is_firearm,
        current_crimes.is_alcohol,
        current_crimes.is_hate,
        current_crimes.status,
        current_crimes.status = 'recorded' as is_recorded,
        current_crimes.file_name,
        current_crimes.period,
        inputs.inputs_digest

    from current_crimes
    -- Every crime has its inputs (a left join: the unit tests give none).
    left join inputs
        on current_crimes.crime_ref = inputs.crime_ref
    left join offence_codes
        on current_crimes.ho_offence_code = offence_codes.ho_offence_code
    left join beats
        on current_crimes.beat_code = beats.beat_code

)

select * from classified
