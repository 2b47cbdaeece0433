{#-
    The police models built crime by crime (int_police__crimes, int_police__crime_people,
    int_police__crime_outcomes_current, int_police__crime_people_summarised,
    int_police__recorded_crimes) are incremental on DuckDB: a build rebuilds only the
    crimes whose inputs changed since the model last built them, and a new quarter's
    files rebuild the crimes they touch, not six years of crimes.

    A crime's inputs are its staged rows in the three police extracts (crimes, victims
    and suspects, outcomes), each named by its file, the file's version (SHA-256) and its
    row: int_police__crime_inputs digests them per crime (`inputs_digest`). Every row of
    these models carries the digest of the inputs it was built from, taken from the model
    it is built from (`upstream`), and a build

    1. deletes this model's rows whose crime's digest in `upstream` is not theirs (a file
       new, re-sent or removed touched the crime; the crime is gone; `pre_hook`,
       `delete_crimes_to_rebuild`), then
    2. builds the crimes `upstream` holds at a digest this model does not hold them at
       (the CTE `to_build`, `crimes_to_build`), reading only their input rows
       (`crime_rows_to_build`), and appends them.

    So each model catches up with the model it is built from, whatever happened before (a
    failed or skipped build, a model built on its own), and the rows are those a full
    build gives (tests/test_dbt_incremental.py). int_police__recorded_crimes also reads
    int_police__crime_people_summarised: a crime it builds while the summary holds the
    crime at another digest gets a null digest, and is built again next time. A crime the
    summary does not hold yet but should (new victims, the summary not built since) it
    cannot tell from a crime without victims: only building int_police__recorded_crimes
    by hand without the summary can cause that, and `--full-refresh` mends it.

    What the digest does not see, the seeds and the SQL, needs a full rebuild: `vrn run`
    passes --full-refresh whenever the code differs from the code the warehouse was last
    built with (orchestration/dbt_incremental.py); by hand, `dbt build --full-refresh`
    after a change. A full build reads every crime. `incremental` is the model's own
    `is_incremental()`, passed in: a dbt unit test overrides the model's, not the one a
    macro would call. `only`, when given, is a condition on `current_inputs` (a row of
    `upstream`): the crimes this model can hold rows of, the others being neither kept nor
    built (the people models read the recorded crimes, or those of their domains, only).
    `key` and `version` name the unit and what it was built from: a crime and its digest
    here; dim_person builds persons by `person_key` and `linked_at` with the same macros
    (people_chain.sql).
-#}

{#- Step 1, a pre_hook: delete the rows whose crime `upstream` holds at another digest,
    or not at all. -#}
{% macro delete_crimes_to_rebuild(upstream, incremental, only=none, key='crime_ref',
                                  version='inputs_digest') -%}
    {%- if incremental -%}
        delete from {{ this }} as built
        where not exists (
            select 1
            from {{ upstream }} as current_inputs
            where
                current_inputs.{{ key }} = built.{{ key }}
                and current_inputs.{{ version }} = built.{{ version }}
                {%- if only %}
                and ({{ only }})
                {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}

{#- Step 2, the body of the CTE `to_build`: the crimes to build, each once. -#}
{% macro crimes_to_build(upstream, incremental, only=none, key='crime_ref',
                         version='inputs_digest') -%}
    select distinct current_inputs.{{ key }}
    from {{ upstream }} as current_inputs
    {%- if incremental %}
        anti join {{ this }} as built
            on
                current_inputs.{{ key }} = built.{{ key }}
                and current_inputs.{{ version }} = built.{{ version }}
    {%- endif %}
    {%- if only %}
    where {{ only }}
    {%- endif %}
{%- endmacro %}

{#- `relation`'s rows of the crimes to build (all of them on a full build), as a relation
    to select from: in an incremental build, a subquery reading the CTE `to_build`. -#}
{% macro crime_rows_to_build(relation, incremental, key='crime_ref') -%}
    {%- if incremental -%}
        (select * from {{ relation }} where {{ key }} in (select {{ key }} from to_build))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
