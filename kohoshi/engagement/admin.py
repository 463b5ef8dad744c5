from django.contrib import admin

from .models import ArticleDailyViews, SurveyQuestion, SurveyResponse


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):
    list_display = ["municipality", "key", "text", "enabled"]
    list_filter = ["key", "enabled"]
    raw_id_fields = ["municipality"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["created_at", "municipality", "article", "helpful", "clarity"]
    list_filter = ["created_at"]
    raw_id_fields = ["article", "municipality"]
    readonly_fields = ["created_at"]


@admin.register(ArticleDailyViews)
class ArticleDailyViewsAdmin(admin.ModelAdmin):
    list_display = ["day", "article", "views"]
    date_hierarchy = "day"
    raw_id_fields = ["article"]
