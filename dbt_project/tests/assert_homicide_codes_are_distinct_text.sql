-- `4.1` and `4.10` are different offences: both must be in the seed as text, with
-- different descriptions. Returns a row when either is missing or they collapsed.
select
    count(distinct ho_offence_code) as codes,
    count(distinct description) as descriptions
from {{ ref('ref_offence_codes') }}
where ho_offence_code in ('4.1', '4.10')
having count(distinct ho_offence_code) != 2 or count(distinct description) != 2
