{#- One row per issue category raised at a visit (`issues` is `;`-separated; blank = none). -#}
with

visits as (

    select * from {{ ref('stg_opcc__icv_visits') }}

),

issues as (

    select
        visit_ref,
        trim(issue) as issue_category
    from (
        select
            visit_ref,
            {{ unnest_split('issues', "';'") }} as issue
        from visits
        where issues is not null
    ) as split_issues

)

select distinct
    visit_ref,
    issue_category
from issues
where issue_category != ''
