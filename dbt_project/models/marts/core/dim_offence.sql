{#- One row per Home Office offence code with the partnership's classifications. -#}
select
    cast(ho_offence_code as {{ type_text() }}) as ho_offence_code,
    cast(description as {{ type_text() }}) as description,
    cast(ons_offence_group as {{ type_text() }}) as ons_offence_group,
    cast(ons_offence_subgroup as {{ type_text() }}) as ons_offence_subgroup,
    cast(sv_group as {{ type_text() }}) as sv_group,
    cast(sv_group is not null as boolean) as is_serious_violence,
    cast(coalesce(sv_group = 'homicide', false) as boolean) as is_homicide,
    cast(is_sexual_violence as boolean) as is_sexual_violence,
    cast(is_rape as boolean) as is_rape,
    cast(is_rasso as boolean) as is_rasso,
    cast(is_ho_knife_offence as boolean) as is_ho_knife_offence,
    cast(is_cohort_high_harm as boolean) as is_cohort_high_harm,
    cast(is_murder_attempted_murder as boolean) as is_murder_attempted_murder
from {{ ref('ref_offence_codes') }}
