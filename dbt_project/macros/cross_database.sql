{#-
    The SQL that differs between the warehouse's engines: DuckDB (the default target,
    `default__`) and Apache Spark (`--target spark`, `spark__`; README, "Running the dbt
    project on Apache Spark"). dbt's own cross-database macros (dbt.dateadd, …) are used
    where they render DuckDB's SQL unchanged; these are the rest. Each `default__`
    renders exactly the SQL the models held before, so DuckDB's answers do not change.
    sqlfluff cannot call adapter.dispatch: .sqlfluff gives it the `default__` text.
-#}

{#- A text column's type: `varchar` (DuckDB; the marts' contracts say so); Spark
    accepts `varchar` only with a length, its unbounded text type is `string`. -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'vrn_warehouse')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    varchar
{%- endmacro %}

{% macro spark__type_text() -%}
    string
{%- endmacro %}

{#- dbt's own cast, used by model contracts to build the contract's empty schema: the
    contracts name DuckDB's types (`varchar`, `varchar[]`), which Spark spells
    `string` and `array<string>`. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_type = type | trim | lower -%}
    {%- if spark_type == 'varchar' -%}
        {%- set spark_type = 'string' -%}
    {%- elif spark_type == 'varchar[]' -%}
        {%- set spark_type = 'array<string>' -%}
    {%- endif -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}

{#- Integer division, rounding toward zero (ages, months: never negative here). -#}
{% macro int_div(dividend, divisor) -%}
    {{ return(adapter.dispatch('int_div', 'vrn_warehouse')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__int_div(dividend, divisor) -%}
    {{ dividend }} // {{ divisor }}
{%- endmacro %}

{% macro spark__int_div(dividend, divisor) -%}
    {{ dividend }} div {{ divisor }}
{%- endmacro %}

{#- The first day of a date's or timestamp's month. DuckDB's date_trunc keeps a date a
    date; Spark's date_trunc returns a timestamp, its trunc(…, 'MM') a date. -#}
{% macro month_start(date_expr) -%}
    {{ return(adapter.dispatch('month_start', 'vrn_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__month_start(date_expr) -%}
    date_trunc('month', {{ date_expr }})
{%- endmacro %}

{% macro spark__month_start(date_expr) -%}
    trunc({{ date_expr }}, 'MM')
{%- endmacro %}

{#- ISO day of the week, 1 = Monday … 7 = Sunday (Spark's weekday() is 0 = Monday). -#}
{% macro iso_weekday(date_expr) -%}
    {{ return(adapter.dispatch('iso_weekday', 'vrn_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro spark__iso_weekday(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{#- A date as text, by a strftime format (DuckDB's); Spark formats by Java's pattern
    letters, translated here for the directives the models use. -#}
{% macro format_date(date_expr, strftime_format) -%}
    {{ return(adapter.dispatch('format_date', 'vrn_warehouse')(date_expr, strftime_format)) }}
{%- endmacro %}

{% macro default__format_date(date_expr, strftime_format) -%}
    strftime({{ date_expr }}, '{{ strftime_format }}')
{%- endmacro %}

{% macro spark__format_date(date_expr, strftime_format) -%}
    {%- set java = strftime_format | replace('%Y', 'yyyy') | replace('%m', 'MM')
        | replace('%d', 'dd') | replace('%B', 'MMMM') | replace('%A', 'EEEE')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    date_format({{ date_expr }}, '{{ java }}')
{%- endmacro %}

{#- Text to a timestamp by a strftime format, null when it does not parse. -#}
{% macro try_parse_timestamp(text_expr, strftime_format) -%}
    {{ return(adapter.dispatch('try_parse_timestamp', 'vrn_warehouse')(text_expr, strftime_format)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(text_expr, strftime_format) -%}
    try_strptime({{ text_expr }}, '{{ strftime_format }}')
{%- endmacro %}

{% macro spark__try_parse_timestamp(text_expr, strftime_format) -%}
    {%- set java = strftime_format | replace('%Y', 'yyyy') | replace('%m', 'MM')
        | replace('%d', 'dd') | replace('%H', 'HH') | replace('%M', 'mm')
        | replace('%S', 'ss') -%}
    try_to_timestamp({{ text_expr }}, '{{ java }}')
{%- endmacro %}

{#- English names of a date's weekday and month (`Monday`, `January`). -#}
{% macro day_name(date_expr) -%}
    {{ return(adapter.dispatch('day_name', 'vrn_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__day_name(date_expr) -%}
    dayname({{ date_expr }})
{%- endmacro %}

{% macro spark__day_name(date_expr) -%}
    date_format({{ date_expr }}, 'EEEE')
{%- endmacro %}

{% macro month_name(date_expr) -%}
    {{ return(adapter.dispatch('month_name', 'vrn_warehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__month_name(date_expr) -%}
    monthname({{ date_expr }})
{%- endmacro %}

{% macro spark__month_name(date_expr) -%}
    date_format({{ date_expr }}, 'MMMM')
{%- endmacro %}

{#- Whole days from one date to another (to − from). -#}
{% macro days_between(from_date, to_date) -%}
    {{ return(adapter.dispatch('days_between', 'vrn_warehouse')(from_date, to_date)) }}
{%- endmacro %}

{% macro default__days_between(from_date, to_date) -%}
    datediff('day', {{ from_date }}, {{ to_date }})
{%- endmacro %}

{% macro spark__days_between(from_date, to_date) -%}
    datediff({{ to_date }}, {{ from_date }})
{%- endmacro %}

{#- Seconds (a double) from one timestamp to another (to − from). -#}
{% macro seconds_between(from_ts, to_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'vrn_warehouse')(from_ts, to_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(from_ts, to_ts) -%}
    epoch({{ to_ts }} - {{ from_ts }})
{%- endmacro %}

{% macro spark__seconds_between(from_ts, to_ts) -%}
    (cast(unix_micros({{ to_ts }}) - unix_micros({{ from_ts }}) as double) / 1000000)
{%- endmacro %}

{#- A regular expression as a SQL string literal. Spark's string literals read a
    backslash as an escape (`'\d'` is `d`), so there each backslash is doubled. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'vrn_warehouse')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace('\\', '\\\\') }}'
{%- endmacro %}

{#- Does text match a regular expression as a whole (pattern: a SQL string literal)? -#}
{% macro regexp_matches_whole(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_whole', 'vrn_warehouse')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches_whole(text_expr, pattern) -%}
    regexp_full_match({{ text_expr }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_matches_whole(text_expr, pattern) -%}
    ({{ text_expr }} rlike concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}

{#- Position (1-based; 0 when absent) of `needle` in `text_expr`. -#}
{% macro text_position(text_expr, needle) -%}
    {{ return(adapter.dispatch('text_position', 'vrn_warehouse')(text_expr, needle)) }}
{%- endmacro %}

{% macro default__text_position(text_expr, needle) -%}
    strpos({{ text_expr }}, {{ needle }})
{%- endmacro %}

{% macro spark__text_position(text_expr, needle) -%}
    instr({{ text_expr }}, {{ needle }})
{%- endmacro %}

{#- The continuous median (the mean of the two middle values) of a column. -#}
{% macro median_cont(expr) -%}
    {{ return(adapter.dispatch('median_cont', 'vrn_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__median_cont(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}

{% macro spark__median_cont(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- Lists: an aggregate of the values (nulls dropped), the distinct values sorted,
    membership, and the continuous median of a list of lists' values. -#}
{% macro list_agg(expr) -%}
    {{ return(adapter.dispatch('list_agg', 'vrn_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__list_agg(expr) -%}
    list({{ expr }})
{%- endmacro %}

{% macro spark__list_agg(expr) -%}
    collect_list({{ expr }})
{%- endmacro %}

{% macro list_distinct_sorted(expr) -%}
    {{ return(adapter.dispatch('list_distinct_sorted', 'vrn_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__list_distinct_sorted(expr) -%}
    list(distinct {{ expr }} order by {{ expr }})
{%- endmacro %}

{% macro spark__list_distinct_sorted(expr) -%}
    array_sort(collect_set({{ expr }}))
{%- endmacro %}

{% macro list_has(list_expr, value_expr) -%}
    {{ return(adapter.dispatch('list_has', 'vrn_warehouse')(list_expr, value_expr)) }}
{%- endmacro %}

{% macro default__list_has(list_expr, value_expr) -%}
    list_contains({{ list_expr }}, {{ value_expr }})
{%- endmacro %}

{% macro spark__list_has(list_expr, value_expr) -%}
    array_contains({{ list_expr }}, {{ value_expr }})
{%- endmacro %}

{% macro lists_median(lists_expr) -%}
    {{ return(adapter.dispatch('lists_median', 'vrn_warehouse')(lists_expr)) }}
{%- endmacro %}

{% macro default__lists_median(lists_expr) -%}
    list_aggregate(flatten(list({{ lists_expr }})), 'quantile_cont', 0.5)
{%- endmacro %}

{% macro spark__lists_median(lists_expr) -%}
    {%- set sorted -%}array_sort(flatten(collect_list({{ lists_expr }}))){%- endset -%}
    case
        when size({{ sorted }}) > 0
            then (
                element_at({{ sorted }}, cast(floor((size({{ sorted }}) + 1) / 2) as int))
                + element_at({{ sorted }}, cast(ceil((size({{ sorted }}) + 1) / 2) as int))
            ) / 2.0
    end
{%- endmacro %}

{#- Distinct values joined by `separator`, in order. -#}
{% macro string_agg_distinct_sorted(expr, separator) -%}
    {{ return(adapter.dispatch('string_agg_distinct_sorted', 'vrn_warehouse')(expr, separator)) }}
{%- endmacro %}

{% macro default__string_agg_distinct_sorted(expr, separator) -%}
    string_agg(distinct {{ expr }}, {{ separator }} order by {{ expr }})
{%- endmacro %}

{% macro spark__string_agg_distinct_sorted(expr, separator) -%}
    array_join(array_sort(collect_set({{ expr }})), {{ separator }})
{%- endmacro %}

{#- Values (duplicates kept) joined by `separator`, in order; null when there are none. -#}
{% macro string_agg_sorted(expr, separator) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'vrn_warehouse')(expr, separator)) }}
{%- endmacro %}

{% macro default__string_agg_sorted(expr, separator) -%}
    string_agg(
                {{ expr }}, {{ separator }}
                order by {{ expr }}
            )
{%- endmacro %}

{% macro spark__string_agg_sorted(expr, separator) -%}
    nullif(array_join(array_sort(collect_list({{ expr }})), {{ separator }}), '')
{%- endmacro %}

{#- Every column of `relation` with some replaced: `replacements` is a list of
    (expression, column). DuckDB keeps each replaced column in its place; Spark has no
    REPLACE, so there the replaced columns come last (their names are unchanged). -#}
{% macro star_replace(relation, replacements) -%}
    {{ return(adapter.dispatch('star_replace', 'vrn_warehouse')(relation, replacements)) }}
{%- endmacro %}

{% macro default__star_replace(relation, replacements) -%}
    {{ relation }}.* replace (
            {%- for expr, column in replacements %}
            {{ expr }} as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        )
{%- endmacro %}

{% macro spark__star_replace(relation, replacements) -%}
    {{ relation }}.* except ({{ replacements | map(attribute=1) | join(', ') }}),
    {%- for expr, column in replacements %}
    {{ expr }} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- One row per piece of text split at a plain separator (no regex characters). -#}
{% macro unnest_split(text_expr, separator) -%}
    {{ return(adapter.dispatch('unnest_split', 'vrn_warehouse')(text_expr, separator)) }}
{%- endmacro %}

{% macro default__unnest_split(text_expr, separator) -%}
    unnest(string_split({{ text_expr }}, {{ separator }}))
{%- endmacro %}

{% macro spark__unnest_split(text_expr, separator) -%}
    explode(split({{ text_expr }}, {{ separator }}))
{%- endmacro %}

{#- One row per date from `start` to `stop` inclusive by `step` (an interval), in a
    select list: DuckDB's generate_series, Spark's sequence (which fails rather than
    returning nothing when stop < start, hence the guard). -#}
{% macro unnest_dates(start, stop, step) -%}
    {{ return(adapter.dispatch('unnest_dates', 'vrn_warehouse')(start, stop, step)) }}
{%- endmacro %}

{% macro default__unnest_dates(start, stop, step) -%}
    cast(unnest(generate_series({{ start }}, {{ stop }}, {{ step }})) as date)
{%- endmacro %}

{% macro spark__unnest_dates(start, stop, step) -%}
    explode(transform(
        filter(
            sequence(cast({{ start }} as date), greatest(cast({{ start }} as date), cast({{ stop }} as date)), {{ step }}),
            d -> d <= cast({{ stop }} as date)
        ),
        d -> cast(d as date)
    ))
{%- endmacro %}

{#- A table of `column` from `start` up to, not including, `stop` by `step` (an
    interval) that may refer to the tables before it (a lateral join), as `alias`. -#}
{% macro date_range_table(start, stop, step, alias, column) -%}
    {{ return(adapter.dispatch('date_range_table', 'vrn_warehouse')(start, stop, step, alias, column)) }}
{%- endmacro %}

{% macro default__date_range_table(start, stop, step, alias, column) -%}
    range(
            {{ start }},
            {{ stop }},
            {{ step }}
        ) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro spark__date_range_table(start, stop, step, alias, column) -%}
    lateral (
        select explode(filter(
            sequence({{ start }}, greatest({{ start }}, {{ stop }}), {{ step }}),
            v -> v < {{ stop }}
        )) as {{ column }}
    ) as {{ alias }}
{%- endmacro %}

{#- `expr` rounded to `digits` decimals, an exact tie to the even digit. DuckDB: see
    round_half_even (rounding.sql), on the double's exact binary value. Spark: bround,
    on the double's shortest decimal text: the two differ only where that text is an
    exact tie the binary value is not (61/160 to 4 places), in the published tables. -#}
{% macro spark__round_half_even(expr, digits) -%}
    cast(bround(cast({{ expr }} as double), {{ digits }}) as double)
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's own seed table, with the seeds' DuckDB column types
    (dbt_project.yml, seeds/*.yml: `varchar`) spelled as Spark's. -#}
{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = column_override.get(col_name, inferred_type) -%}
                {%- set type = 'string' if type | trim | lower == 'varchar' else type -%}
                {%- set column_name = (col_name | string) -%}
                {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }}
                {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}

{#- An interval of `months_expr` months (an integer expression). -#}
{% macro months_interval(months_expr) -%}
    {{ return(adapter.dispatch('months_interval', 'vrn_warehouse')(months_expr)) }}
{%- endmacro %}

{% macro default__months_interval(months_expr) -%}
    to_months({{ months_expr }})
{%- endmacro %}

{% macro spark__months_interval(months_expr) -%}
    make_ym_interval(0, {{ months_expr }})
{%- endmacro %}

{#- Seed rows on Spark: dbt-spark's insert, with the DuckDB type names mapped as in
    spark__create_csv_table, and each value written as a SQL literal here: the `session`
    method's bindings quote no apostrophe (`Children's services` breaks the insert) and
    turn a null into the text 'None'. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set type = 'string' if type | trim | lower == 'varchar' else type -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        {%- set literal = 'null' -%}
                    {%- elif value is sameas true or value is sameas false -%}
                        {%- set literal = value | string | lower -%}
                    {%- elif value is number -%}
                        {%- set literal = value | string -%}
                    {%- else -%}
                        {%- set literal = "'" ~ (value | string | replace('\\', '\\\\')
                            | replace("'", "\\'")) ~ "'" -%}
                    {%- endif -%}
                    cast({{ literal }} as {{ type }})
                    {%- if not loop.last %},{%- endif %}
                {%- endfor -%})
                {%- if not loop.last %},{%- endif %}
            {%- endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}

{#- Model contracts on Spark: the tables are Parquet, which holds no constraints
    (dbt-spark would ALTER COLUMN … SET NOT NULL, a Delta Lake feature); the columns'
    not_null and unique dbt tests check the same on both engines. -#}
{% macro spark__persist_constraints(relation, model) %}
{% endmacro %}

{#- A 64-bit hash of several values, for digests that XOR rows' hashes together
    (int_police__crime_inputs): the hash of the values joined in one text. Not DuckDB's
    hash() of several arguments: that combines the last argument's hash in linearly, so
    two rows alike but for it keep the same XOR whatever the other arguments are (a
    re-sent file's two rows of one crime left the crime's digest unchanged). Not a
    cryptographic hash. -#}
{% macro row_hash(expressions) -%}
    {{ return(adapter.dispatch('row_hash', 'vrn_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__row_hash(expressions) -%}
    hash(concat_ws('|', {{ expressions | join(', ') }}))
{%- endmacro %}

{% macro spark__row_hash(expressions) -%}
    xxhash64(concat_ws('|'
    {%- for expression in expressions %}, cast({{ expression }} as string){% endfor %}))
{%- endmacro %}

{#- How the crime-by-crime police models are materialized (macros/crime_chain.sql):
    incremental on DuckDB; Spark's tables are rebuilt whole (dbt-spark deletes no rows). -#}
{% macro crime_chain_materialized() -%}
    {{ return(adapter.dispatch('crime_chain_materialized', 'vrn_warehouse')()) }}
{%- endmacro %}

{% macro default__crime_chain_materialized() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__crime_chain_materialized() -%}
    {{ return('table') }}
{%- endmacro %}
