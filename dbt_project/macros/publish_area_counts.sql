{#- A CSP's tables by area, written once: the CSP's own districts and the CSP as a whole
    (DESIGN.md "Scope": its own area's rows only, no LLR comparator). The CSP row
    (area_level `csp`, area_code the CSP's name, as in mart_sv_by_area) is the sum of its
    districts, and the tables declare it so (a margin on area_level), so disclosure
    control sees it as their total: a suppressed district cannot be recovered from the
    CSP and the other districts. A model builds its rows with these macros:

        areas as ({{ publish_csp_areas() }}),
        grid as ({{ publish_window_grid(['areas']) }}),
        counted as ({{ sum_months_into_csp_areas('grid', 'monthly', ['offences']) }})
    where `monthly` has one row per month (`month`, its first day), csp_name and
    district_code (and the table's other categories). -#}

{#- Each CSP partner (ref_csp_partners) × its districts (dim_geography) in district_code
    order, then the CSP itself: partner, csp_name, area_level (`district`, `csp`),
    area_code (the district's ONS code; the CSP's name for the CSP), area_name (the district's or
    the CSP's name), area_order. -#}
{% macro publish_csp_areas() -%}
    select
        csp_areas.partner,
        csp_areas.csp_name,
        csp_areas.area_level,
        csp_areas.area_code,
        csp_areas.area_name,
        row_number() over (
            partition by csp_areas.partner
            order by csp_areas.area_level = 'csp', csp_areas.area_code
        ) as area_order
    from (
        select distinct
            partners.partner,
            partners.csp_name,
            'district' as area_level,
            geography.district_code as area_code,
            geography.district_name as area_name
        from {{ ref('ref_csp_partners') }} as partners
        inner join {{ ref('dim_geography') }} as geography
            on partners.csp_name = geography.csp_name

        union all

        select
            partner,
            csp_name,
            'csp' as area_level,
            csp_name as area_code,
            csp_name as area_name
        from {{ ref('ref_csp_partners') }}
    ) as csp_areas
{%- endmacro %}

{#- Each row of `grid` (windows × publish_csp_areas, and any other categories) with
    every column of `counts` summed over the rows of `monthly` of the same CSP whose
    month lies in the row's period: a district's own, the CSP row all of its districts'
    (0 when none). `match_on` and `category`/`total` as in sum_months_into_periods. -#}
{% macro sum_months_into_csp_areas(
    grid, monthly, counts, match_on=[], category=none, total='all'
) -%}
    select
        {{ grid }}.*
    {%- for count in counts %},
        coalesce(sum({{ monthly }}.{{ count }}), 0) as {{ count }}
    {%- endfor %}
    from {{ grid }}
    left join {{ monthly }}
        on
            {{ monthly }}.month between {{ grid }}.period_start and {{ grid }}.period_end
            and {{ grid }}.csp_name = {{ monthly }}.csp_name
            and (
                {{ grid }}.area_level = 'csp'
                or {{ grid }}.area_code = {{ monthly }}.district_code
            )
    {%- for column in match_on %}
            and {{ grid }}.{{ column }} = {{ monthly }}.{{ column }}
    {%- endfor %}
    {%- if category %}
            and (
                {{ grid }}.{{ category }} = '{{ total }}'
                or {{ grid }}.{{ category }} = {{ monthly }}.{{ category }}
            )
    {%- endif %}
    group by all
{%- endmacro %}

{#- The population of a CSP table's area (`relation` has financial_year, area_level,
    area_code `all` for the CSP, csp_name) for its export quarter's financial year, as
    the marts use it (int_geography__area_populations: ONS mid-year estimate; a CSP's
    is the sum of its districts'): a scalar subquery. -#}
{% macro publish_csp_area_population(relation) -%}
    (
        select area_populations.population
        from {{ ref('int_geography__area_populations') }} as area_populations
        where
            area_populations.financial_year = {{ relation }}.financial_year
            and area_populations.area_level = {{ relation }}.area_level
            and area_populations.area_code = case
                when {{ relation }}.area_level = 'csp' then {{ relation }}.csp_name
                else {{ relation }}.area_code
            end
    )
{%- endmacro %}
