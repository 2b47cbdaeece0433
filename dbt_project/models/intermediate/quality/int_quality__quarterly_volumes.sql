{#-
    Volume per partner extract and quarter, against the nearest earlier quarter that has
    data (DESIGN.md "Quality gates"): the frame the Great Expectations volume suites
    validate, one row per fact x extract x quarter whose file was loaded. A quarter with
    no loaded file is known-missing data, not a volume failure: it has no row here, and
    the next quarter compares with the one before the gap.

    A quarter's count must lie within 60%-167% of the previous one: a halved or doubled
    quarter is far more likely a missing or doubled extract than real change (at exactly
    50% a halved quarter would sit on the line, so the line is drawn at 60%, and
    symmetrically 1/0.6). Small counts vary by chance far more, so the range is never
    narrower than 4 Poisson standard deviations (4 x sqrt(previous)) either side. A month
    without any event means a missing extract only where events are many (10+ a month).
-#}
{%- set facts = [
    ('fct_serious_violence', 'recorded_date', 'police', "'crimes'"),
    ('fct_rasso', 'recorded_date', 'police', "'crimes'"),
    ('fct_custody_detention', 'arrived_at', 'police', "'custody'"),
    ('fct_icv_visit', 'arrived_at', 'opcc', "'icv_visits'"),
    ('fct_assault_injury', 'event_at', 'health',
        "case source when 'ae' then 'ae_assaults' when 'admission' then 'assault_admissions'"
        ~ " else 'ambulance_assaults' end"),
] -%}
with

coverage as (

    select * from {{ ref('int_publish__source_coverage') }}

),

monthly as (
    {%- for fact, date_column, source, entity in facts %}

        select
            '{{ fact }}' as fact,
            '{{ source }}' as source,
            {{ entity }} as entity,
            cast({{ month_start(date_column) }} as date) as month,
            count(*) as events
        from {{ ref(fact) }}
        group by all
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

facts as (

    select distinct
        fact,
        source,
        entity
    from monthly

),

loaded_quarters as (

    select
        facts.fact,
        coverage.source,
        coverage.entity,
        coverage.period as fy_quarter,
        coverage.period_start,
        coverage.period_end,
        coverage.file_name
    from coverage
    inner join facts
        on
            coverage.source = facts.source
            and coverage.entity = facts.entity
    where not coverage.is_missing

),

counted as (

    select
        loaded_quarters.fact,
        loaded_quarters.source,
        loaded_quarters.entity,
        loaded_quarters.fy_quarter,
        loaded_quarters.period_start,
        coalesce(sum(monthly.events), 0) as events,
        count(monthly.month) as months_with_data
    from loaded_quarters
    left join monthly
        on
            loaded_quarters.fact = monthly.fact
            and loaded_quarters.source = monthly.source
            and loaded_quarters.entity = monthly.entity
            and monthly.month between loaded_quarters.period_start and loaded_quarters.period_end
    group by all

),

compared as (

    select
        *,
        lag(fy_quarter) over by_quarter as previous_fy_quarter,
        lag(events) over by_quarter as previous_events
    from counted
    window by_quarter as (partition by fact, source, entity order by period_start)

),

bounded as (

    select
        *,
        round(
            least(previous_events * 0.6, previous_events - 4 * sqrt(greatest(previous_events, 1))),
            1
        ) as expected_low,
        round(
            greatest(
                previous_events / 0.6, previous_events + 4 * sqrt(greatest(previous_events, 1))
            ),
            1
        ) as expected_high
    from compared

)

select
    cast(fact as {{ type_text() }}) as fact,
    cast(source as {{ type_text() }}) as source,
    cast(entity as {{ type_text() }}) as entity,
    cast(fy_quarter as {{ type_text() }}) as fy_quarter,
    period_start,
    cast(events as bigint) as events,
    cast(months_with_data as integer) as months_with_data,
    cast(previous_fy_quarter as {{ type_text() }}) as previous_fy_quarter,
    cast(previous_events as bigint) as previous_events,
    cast(round(events / nullif(previous_events, 0), 3) as double) as ratio_to_previous,
    cast(expected_low as double) as expected_low,
    cast(expected_high as double) as expected_high,
    coalesce(events between expected_low and expected_high, true) as within_expected_range,
    months_with_data = 3 or greatest(events, coalesce(previous_events, 0)) < 30 as months_complete
from bounded
