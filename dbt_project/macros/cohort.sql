{#-
    The cohort's risk factors (DESIGN.md "Cohort"; SNA: 4.8 factors on average, 5.1 for
    murder and attempted murder), as one select: for each subgroup x factor (the eight
    factors in the SNA's order, then `any`), the persons in the subgroup, those with the
    factor recorded strictly before their index date, and the factors per person on
    average. Every subgroup x factor row is present, 0 when no one has it.

    `cohort`: a relation or CTE of (subgroup, person_key, index_date) plus the `by`
    columns; `by`: columns the counts are kept apart by (e.g. the export quarter a cohort
    is cut at), or none; `groups`: a relation holding every value of the `by` columns
    (so a group with nobody in the cohort still has its rows). `mart_cohort_risk_factors` counts the whole cohort;
    `pub_sna_cohort_risk_factors` the cohort as it stood at each export quarter's end.
-#}
{% macro cohort_risk_factor_counts(cohort, events, by=[], groups=none) %}
    {%- set by_cols = by | join(', ') ~ (', ' if by else '') -%}
    {%- set by_on = [] -%}
    {%- for c in by -%}{%- do by_on.append('and a.' ~ c ~ ' = b.' ~ c) -%}{%- endfor -%}
    with

    cohort_members as (

        select * from {{ cohort }}

    ),

    subgroups as (

        select * from (values ('all', 1), ('murder_attempted_murder', 2))
            as subgroups (subgroup, subgroup_order)

    ),

    factors as (

        -- factor_order a bigint, as DuckDB's range() made it before.
        select
            factor,
            cast(factor_order as bigint) as factor_order
        from (
            values
            ('looked_after', 1), ('child_protection_plan', 2), ('persistent_absence', 3),
            ('suspension', 4), ('permanent_exclusion', 5), ('earlier_victimisation', 6),
            ('earlier_offending', 7), ('earlier_custody', 8), ('any', 9)
        ) as factors (factor, factor_order)

    ),

    groups as (

        {%- if by and groups %}
        select distinct {{ by | join(', ') }} from {{ groups }}
        {%- elif by %}
        select distinct {{ by | join(', ') }} from cohort_members
        {%- else %}
        select 1 as one_group
        {%- endif %}

    ),

    person_factors as (

        -- A factor counts when its record is dated strictly before the index date.
        select distinct
            {{ by_cols }}
            cohort_members.subgroup,
            cohort_members.person_key,
            events.factor
        from cohort_members
        inner join {{ events }} as events
            on cohort_members.person_key = events.person_key
                and cohort_members.index_date > events.factor_date

    ),

    factors_per_person as (

        select
            {% for c in by %}a.{{ c }}, {% endfor %}
            a.subgroup,
            a.person_key,
            count(b.factor) as factor_count
        from cohort_members as a
        left join person_factors as b
            on a.subgroup = b.subgroup
                and a.person_key = b.person_key
                {{ by_on | join(' ') }}
        group by all

    ),

    subgroup_totals as (

        select
            {% for c in by %}a.{{ c }}, {% endfor %}
            a.subgroup,
            count(b.person_key) as persons,
            avg(b.factor_count) as avg_factors_per_person
        from (select * from groups cross join subgroups) as a
        left join factors_per_person as b
            on a.subgroup = b.subgroup
                {{ by_on | join(' ') }}
        group by all

    ),

    persons_with_each_factor as (

        select
            {{ by_cols }}
            subgroup,
            factor,
            count(*) as persons_with_factor
        from person_factors
        group by all

        union all

        select
            {{ by_cols }}
            subgroup,
            'any' as factor,
            count(*) as persons_with_factor
        from factors_per_person
        where factor_count > 0
        group by all

    )

    select
        {% for c in by %}a.{{ c }}, {% endfor %}
        a.subgroup,
        factors.factor,
        cast(a.persons as bigint) as persons,
        cast(coalesce(b.persons_with_factor, 0) as bigint) as persons_with_factor,
        cast(a.avg_factors_per_person as double) as avg_factors_per_person,
        subgroups.subgroup_order,
        factors.factor_order
    from subgroup_totals as a
    inner join subgroups
        on a.subgroup = subgroups.subgroup
    cross join factors
    left join persons_with_each_factor as b
        on a.subgroup = b.subgroup
            and factors.factor = b.factor
            {{ by_on | join(' ') }}
{% endmacro %}
