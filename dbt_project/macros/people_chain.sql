{#-
    The people models after the linkage are incremental on DuckDB too (tables on Spark,
    `crime_chain_materialized`): a new quarter rebuilds the persons the linkage linked
    again and the crimes it touched, not every person and crime of six years.

    The linkage stamps each record's link with `linked_at`, when a run last linked its
    person again (linkage/model.py): every record of a person a run links again gets that
    run's time, later than any time given before; a person kept as it was keeps its time.

    - dim_person, one row per person, carries its person's `linked_at`: a row is current
      while some record still has the row's person_key at the row's `linked_at` (a
      person kept as it was is kept whole). `delete_persons_linked_again` deletes the
      others (persons linked again, merged, split or gone), then the build makes the
      persons the model does not hold at their time (`persons_to_build`), from their
      records only.
    - int_people__crime_involvements and int_people__domain_involvements, one row per
      crime's person record, are built crime by crime (macros/crime_chain.sql) and carry
      their record's `linked_at`. A build first deletes every crime with a record linked
      after the latest `linked_at` the model holds (`delete_crimes_of_persons_linked_again`;
      any time later than that is a run's the model has not read), then the crimes whose
      inputs changed, and builds the crimes the model does not hold.

    A full build (`--full-refresh`, which `vrn run` passes whenever the code changed)
    reads every person and crime. `incremental` is the model's own `is_incremental()`,
    passed in, as in crime_chain.sql.
-#}

{#- dim_person's three steps are the crime chain's (crime_chain.sql), keyed on the person
    and its time: a pre_hook deleting the persons no record holds at their time, the body
    of the CTE `to_build` (the persons to build, each once), and `links`' records of those
    persons (all on a full build). -#}
{% macro delete_persons_linked_again(links, incremental) -%}
    {{ delete_crimes_to_rebuild(links, incremental, key='person_key', version='linked_at') }}
{%- endmacro %}

{% macro persons_to_build(links, incremental) -%}
    {{ crimes_to_build(links, incremental, key='person_key', version='linked_at') }}
{%- endmacro %}

{% macro person_rows_to_build(links, incremental) -%}
    {{ crime_rows_to_build(links, incremental, key='person_key') }}
{%- endmacro %}

{#- A pre_hook of the involvement models, run before `delete_crimes_to_rebuild`: delete
    every crime with a crime person record (`record_ref`) that `links`
    (bridge_person_record) has linked since the latest `linked_at` this model holds. A
    model holding no time yet (no record linked when it was built) takes every linked
    record as new. -#}
{% macro delete_crimes_of_persons_linked_again(links, incremental) -%}
    {%- if incremental -%}
        delete from {{ this }}
        where crime_ref in (
            select built.crime_ref
            from {{ this }} as built
            inner join {{ links }} as links
                on built.record_ref = links.record_ref
            where
                links.source = 'police_people'
                and links.linked_at > (
                    select coalesce(max(latest.linked_at), '-infinity'::timestamp)
                    from {{ this }} as latest
                )
        )
    {%- endif -%}
{%- endmacro %}

{#- Whether a row of int_police__recorded_crimes (`alias`) is a crime of one of the
    people marts' domains: int_people__domain_involvements holds only those. -#}
{% macro of_a_people_domain(alias) -%}
    {{ alias }}.is_serious_violence or {{ alias }}.is_domestic_abuse or {{ alias }}.is_rasso
{%- endmacro %}
