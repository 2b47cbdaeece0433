-- One row per linked person: the sources (agencies' record kinds) it appears in and how
-- many records it has.
--
-- Built person by person (macros/people_chain.sql): a build makes only the persons the
-- linkage linked again since the model last held them. Under a contract, an incremental
-- model must stop at a column its table lacks (on_schema_change; `--full-refresh` rebuilds
-- it): set here, in the file, where dbt checks it.
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_persons_linked_again(source('linkage', 'person_links'), is_incremental()) }}",
    )
}}

with

to_build as (

    {{ persons_to_build(source('linkage', 'person_links'), is_incremental()) }}

),

-- The linkage's own rows: bridge_person_record is these rows, one per record, without
-- has_tokens. Joining the two on the record doubled this model's work for that column.
person_links as (

    select * from {{ person_rows_to_build(source('linkage', 'person_links'), is_incremental()) }}

),

persons as (

    select
        person_key,
        {{ list_distinct_sorted('source') }} as agencies,
        count(*) as record_count,
        -- Identified by tokens, or by the force's person number, which every police
        -- record carries (records sharing one are linked: linkage/model.py).
        bool_or(
            has_tokens
            or source in ('police_people', 'custody')
        ) as is_identified,
        -- Every record of a person has its person's time.
        max(linked_at) as linked_at

    from person_links
    group by person_key

)

select
    person_key,
    agencies,
    record_count,
    is_identified,
    linked_at

from persons
