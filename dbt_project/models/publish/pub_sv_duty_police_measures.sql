{#-
    Home Office Serious Violence Duty success measures from police data (SV Duty report
    para 26), for every period of every export quarter's window (int_publish__windows):
      knife_enabled_sv  serious violence on the Home Office knife list, flagged
                        knife/sharp (is_knife_enabled_ho)
      homicide          serious violence of the homicide group
      knife_homicide    homicides flagged knife/sharp
    each for all ages and for a youngest victim under 25 (an unknown age is not under
    25). All of LLR: the Home Office is not scoped to an area. Crimes count by
    recorded_date (spec/published-figures.md). Figures before disclosure control.
    The measures in published order are exports/tables.py POLICE_DUTY_MEASURES;
    mart_sv_duty_measures has the same three by financial year. With the 2019-20
    baseline and the change on it (publish_sv_duty_measures).
-#}
{{ publish_sv_duty_measures(
    fact=ref('fct_serious_violence'),
    counted_by='recorded_date',
    age='youngest_victim_age',
    measures={
        'knife_enabled_sv': 'is_knife_enabled_ho',
        'homicide': "sv_group = 'homicide'",
        'knife_homicide': "sv_group = 'homicide' and is_knife_sharp",
    },
) }}
