"""staff_kpis: placeholder until its issue lands; opens without error."""

from ui.widgets import coming_page

coming_page("staff_kpis")
