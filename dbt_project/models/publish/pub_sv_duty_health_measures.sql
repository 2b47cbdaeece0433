{#-
    Home Office Serious Violence Duty success measure from hospital data, for every period
    of every export quarter's window (int_publish__windows): sharp_object_admissions,
    emergency admissions of LLR residents for assault by a sharp object (external cause
    X99, is_sharp_object of fct_assault_injury), for all ages and for patients under 25
    (an unknown age is not under 25). Admissions count by their own date (event_at,
    spec/published-figures.md). Figures before disclosure control. The measure of
    exports/tables.py build_sv_duty_health_measures; mart_sv_duty_measures has it by
    financial year. With the 2019-20 baseline as a count; no change on it, which over
    unrounded counts would give them away (health tables are counts only).
-#}
{{ publish_sv_duty_measures(
    fact=ref('fct_assault_injury'),
    counted_by='event_at',
    age='age',
    measures={
        'sharp_object_admissions': "source = 'admission' and is_sharp_object",
    },
    with_change=false,
) }}
