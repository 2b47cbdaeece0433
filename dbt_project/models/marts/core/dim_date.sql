{#- One row per day, in the UK calendars every figure is counted in. -#}
with

days as (

    select cast(days.day as date) as date
    from {{ date_range_table(
        "date '" ~ var("dim_date_start") ~ "'",
        "date '" ~ var("dim_date_end") ~ "' + interval 1 day",
        "interval 1 day", 'days', 'day'
    ) }}

),

described as (

    select
        date,
        cast({{ financial_year('date') }} as {{ type_text() }}) as financial_year,
        cast({{ fy_quarter('date') }} as {{ type_text() }}) as fy_quarter,
        cast({{ month_start('date') }} as date) as month,
        cast(last_day(date) as date) as month_end,
        cast({{ iso_weekday('date') }} as integer) as weekday,
        cast({{ day_name('date') }} as {{ type_text() }}) as weekday_name,
        cast({{ iso_weekday('date') }} >= 6 as boolean) as is_weekend,
        cast(year(date) as integer) as calendar_year,
        cast({{ month_name('date') }} as {{ type_text() }}) as month_name,
        cast({{ academic_year('date') }} as {{ type_text() }}) as academic_year
    from days

)

select * from described
