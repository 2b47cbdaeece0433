{#- One row per day, in the UK calendars every figure is counted in. -#}
with

days as (

    select cast(days.day as date) as date
    from range(
            date '{{ var("dim_date_start") }}',
            date '{{ var("dim_date_end") }}' + interval 1 day,
            interval 1 day
        ) as days (day)

),

described as (

    select
        date,
        cast({{ financial_year('date') }} as varchar) as financial_year,
        cast({{ fy_quarter('date') }} as varchar) as fy_quarter,
        cast(date_trunc('month', date) as date) as month,
        cast(last_day(date) as date) as month_end,
        cast(isodow(date) as integer) as weekday,
        cast(dayname(date) as varchar) as weekday_name,
        cast(isodow(date) >= 6 as boolean) as is_weekend,
        cast(year(date) as integer) as calendar_year,
        cast(monthname(date) as varchar) as month_name,
        cast({{ academic_year('date') }} as varchar) as academic_year
    from days

)

select * from described
