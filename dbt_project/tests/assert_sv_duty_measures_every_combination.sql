-- mart_sv_duty_measures holds every measure x age group for each of its financial
-- years (0 when none): 4 measures x 2 age groups. Returns the incomplete years.
select
    financial_year,
    count(*) as combinations
from {{ ref('mart_sv_duty_measures') }}
group by financial_year
having count(*) != 8
